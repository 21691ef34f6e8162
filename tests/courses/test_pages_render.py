"""The course, module and lesson pages as trainees, strangers and editors see them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageViewRestriction

from imh_courses.models import (
    CourseCompletion,
    CourseIndexPage,
    CoursePage,
    Enrolment,
    LessonPage,
    LiveSession,
    ModulePage,
)
from imh_courses.selectors.pages import course_outline, lesson_neighbours, outline_lessons
from imh_courses.services.learning import enrolment_create, lesson_complete, reflection_save
from tests.courses.factories import course_index, create_course, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _draft_lesson(module: ModulePage, title: str = "Draft lesson") -> LessonPage:
    lesson = module.add_child(
        instance=LessonPage(
            title=title,
            slug="draft-lesson",
            live=False,
            body=[("text", "<p>Not ready for trainees.</p>")],
        )
    )
    lesson.save_revision()
    return lesson


@pytest.fixture
def course() -> CoursePage:
    return create_course(title="Attunement basics", modules=2, lessons_per_module=2)


@pytest.fixture
def trainee():
    return UserFactory()


@pytest.fixture
def enrolled(course, trainee):
    enrolment_create(user=trainee, course=course)
    return trainee


# The courses area.


def test_index_lists_live_public_courses_with_level_hours_and_duration(client, course):
    hidden = create_course(title="Private course", modules=1, lessons_per_module=1)
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)
    draft = create_course(title="Draft course", modules=0, publish=False)
    draft.unpublish()
    html = _html(client.get(course_index().url))
    assert "Attunement basics" in html
    assert f'href="{course.url}"' in html
    assert "Level 1: universal" in html
    assert "3 hours" in html  # CPD
    assert "3.5 hours" in html  # how long it takes
    assert "Private course" not in html
    assert "Draft course" not in html


# The course page.


def test_course_page_shows_details_and_outline(client, course):
    course.audience_roles = ["midwife", "health_visitor"]
    course.mandatory_for_roles = ["midwife"]
    course.certificate_validity_months = 24
    course.save_revision().publish()
    html = _html(client.get(course.url))
    assert "What babies need from the adults around them." in html
    assert "Level 1: universal" in html
    assert "About 3.5 hours, including 4 online lessons" in html
    assert "Health visitor" in html
    assert "Mandatory for" in html
    assert "Valid for 24 months" in html
    for module in ModulePage.objects.child_of(course):
        assert f'href="{module.url}"' in html
    for lesson in lessons_of(course):
        assert f'href="{lesson.url}"' in html
        assert lesson.title in html
    # Outline order: module 1's lessons before module 2's.
    assert html.index("Lesson 1.2") < html.index("Module 2: Module 2") < html.index("Lesson 2.1")


def test_anonymous_visitors_are_asked_to_log_in_with_a_way_back(client, course):
    html = _html(client.get(course.url))
    login = reverse("account_login")
    assert f'href="{login}?next=%2Fcourses%2F{course.slug}%2F"' in html
    assert reverse("imh_courses:enrol", args=[course.pk]) not in html


def test_logged_in_visitors_get_an_enrol_button(client, course, trainee):
    client.force_login(trainee)
    html = _html(client.get(course.url))
    action = reverse("imh_courses:enrol", args=[course.pk])
    assert f'<form method="post" action="{action}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Enrol on this course" in html


def test_enrol_button_enrols(client, course, trainee):
    client.force_login(trainee)
    response = client.post(reverse("imh_courses:enrol", args=[course.pk]))
    assert response.status_code == 302
    assert Enrolment.objects.filter(user=trainee, course=course, status="active").exists()


def test_missing_prerequisites_are_named_with_links(client, course, trainee):
    first = create_course(title="Foundations first", modules=1, lessons_per_module=1)
    course.prerequisites.add(first)
    course.save_revision().publish()
    client.force_login(trainee)
    html = _html(client.get(course.url))
    assert "Before you can enrol on this course, complete:" in html
    assert f'<a href="{first.url}">Foundations first</a>' in html
    assert reverse("imh_courses:enrol", args=[course.pk]) not in html


def test_met_prerequisites_let_people_enrol(client, course, trainee):
    first = create_course(title="Foundations first", modules=1, lessons_per_module=1)
    course.prerequisites.add(first)
    course.save_revision().publish()
    enrolment_create(user=trainee, course=first)
    lesson_complete(user=trainee, lesson=lessons_of(first)[0])
    assert CourseCompletion.objects.filter(user=trainee, course=first).exists()
    client.force_login(trainee)
    html = _html(client.get(course.url))
    assert "Before you can enrol" not in html
    assert reverse("imh_courses:enrol", args=[course.pk]) in html


def test_closed_self_enrolment_says_who_assigns_it(client, course, trainee):
    course.self_enrolment = False
    course.save_revision().publish()
    client.force_login(trainee)
    html = _html(client.get(course.url))
    assert "your manager or educator assigns this course" in html
    assert reverse("imh_courses:enrol", args=[course.pk]) not in html


def test_enrolled_trainee_sees_progress_ticks_and_where_to_continue(client, course, enrolled):
    lessons = lessons_of(course)
    lesson_complete(user=enrolled, lesson=lessons[0])
    client.force_login(enrolled)
    client.get(lessons[2].url)  # opened, not finished: where they left off
    html = _html(client.get(course.url))
    assert reverse("imh_courses:enrol", args=[course.pk]) not in html
    assert "25% of the required lessons completed" in html
    assert '<progress id="course-progress"' in html
    assert 'value="25"' in html
    assert html.count("✓ </span>Completed") == 1
    assert html.count("Not done yet") == 3
    assert "Continue where you left off: Lesson 2.1" in html
    assert f'href="{lessons[2].url}"' in html


def test_a_new_enrolment_starts_at_the_first_lesson(client, course, enrolled):
    client.force_login(enrolled)
    html = _html(client.get(course.url))
    assert "Start the course: Lesson 1.1" in html


def test_completed_course_shows_the_date(client, course, enrolled):
    for lesson in lessons_of(course):
        lesson_complete(user=enrolled, lesson=lesson)
    completion = CourseCompletion.objects.get(user=enrolled, course=course)
    client.force_login(enrolled)
    html = _html(client.get(course.url))
    assert f"You completed this course on {completion.completed_at:%-d %B %Y}" in html
    assert html.count("✓ </span>Completed") == 4
    assert reverse("imh_courses:enrol", args=[course.pk]) not in html


def test_completed_course_that_expires_can_be_taken_again(client, course, enrolled):
    course.certificate_validity_months = 24
    course.save_revision().publish()
    for lesson in lessons_of(course):
        lesson_complete(user=enrolled, lesson=lesson)
    client.force_login(enrolled)
    html = _html(client.get(course.url))
    assert "Your certificate is valid until" in html
    assert "Take the course again" not in html  # not until the renewal is due
    with time_machine.travel(timedelta(days=2 * 365 - 30)):
        client.force_login(enrolled)
        html = _html(client.get(course.url))
    assert "Take the course again" in html


def test_upcoming_sessions_are_listed_with_places_and_links(client, course):
    start = timezone.now() + timedelta(days=14)
    workshop = LiveSession.objects.create(
        course=course,
        kind=LiveSession.Kind.WORKSHOP,
        title="Watching and wondering workshop",
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        venue="Northshire Education Centre, Room 2",
        capacity=12,
    )
    LiveSession.objects.create(
        course=course,
        title="Last month's webinar",
        starts_at=start - timedelta(days=60),
        ends_at=start - timedelta(days=60) + timedelta(hours=1),
        joining_url="https://example.org/join/old",
    )
    html = _html(client.get(course.url))
    assert "Watching and wondering workshop" in html
    assert f'href="{reverse("imh_courses:session_detail", args=[workshop.pk])}"' in html
    assert "12 places left" in html
    assert "Northshire Education Centre" in html
    assert "Last month's webinar" not in html


# Module pages.


def test_module_page_lists_its_lessons(client, course, enrolled):
    module = ModulePage.objects.child_of(course).first()
    lesson_complete(user=enrolled, lesson=lessons_of(course)[0])
    client.force_login(enrolled)
    html = _html(client.get(module.url))
    assert "Lesson 1.1" in html
    assert "Lesson 1.2" in html
    assert "Lesson 2.1" not in html
    assert html.count("✓ </span>Completed") == 1


# Lesson pages.


def test_lesson_body_is_hidden_from_anonymous_visitors(client, course):
    lesson = lessons_of(course)[0]
    html = _html(client.get(lesson.url))
    assert "Teaching text for lesson 1.1." not in html
    assert f"Enrol on {course.title} to see this lesson" in html
    assert f'href="{course.url}"' in html
    assert "Mark as complete" not in html


def test_lesson_body_is_hidden_from_people_not_enrolled(client, course, trainee):
    lesson = lessons_of(course)[0]
    client.force_login(trainee)
    html = _html(client.get(lesson.url))
    assert "Teaching text for lesson 1.1." not in html
    assert f"Enrol on {course.title} to see this lesson" in html


def test_withdrawn_trainees_no_longer_see_lessons(client, course, enrolled):
    Enrolment.objects.filter(user=enrolled).update(status=Enrolment.Status.WITHDRAWN)
    client.force_login(enrolled)
    html = _html(client.get(lessons_of(course)[0].url))
    assert "Teaching text for lesson 1.1." not in html


def test_enrolled_trainee_reads_the_lesson_and_can_mark_it_complete(client, course, enrolled):
    lesson = lessons_of(course)[1]
    client.force_login(enrolled)
    html = _html(client.get(lesson.url))
    assert "Teaching text for lesson 1.2." in html
    assert "Takes about 20 minutes" in html
    assert "Lesson 2 of 4" in html
    action = reverse("imh_courses:lesson_complete", args=[lesson.pk])
    assert f'<form method="post" action="{action}"' in html
    assert "Mark as complete" in html

    client.post(action)
    html = _html(client.get(lesson.url))
    assert "Mark as complete" not in html
    assert "You have completed this lesson." in html


def test_opening_a_lesson_remembers_where_the_trainee_left_off(client, course, enrolled):
    lesson = lessons_of(course)[3]
    client.force_login(enrolled)
    client.get(lesson.url)
    assert Enrolment.objects.get(user=enrolled, course=course).last_lesson_id == lesson.pk


def test_trainee_who_completed_the_course_still_reads_lessons(client, course, enrolled):
    for lesson in lessons_of(course):
        lesson_complete(user=enrolled, lesson=lesson)
    client.force_login(enrolled)
    html = _html(client.get(lessons_of(course)[0].url))
    assert "Teaching text for lesson 1.1." in html
    assert "Mark as complete" not in html


def test_editors_read_lessons_without_enrolling(client, course):
    educator = UserFactory()
    educator.groups.add(Group.objects.get(name="Educators"))
    client.force_login(educator)
    html = _html(client.get(lessons_of(course)[0].url))
    assert "Teaching text for lesson 1.1." in html
    assert "Mark as complete" not in html


def test_preview_shows_the_body_and_the_not_enrolled_mode_hides_it(rf, course):
    lesson = lessons_of(course)[0]
    editor = UserFactory(username="editor")
    editor.is_superuser = True
    editor.save()
    request = rf.get("/")
    request.user = editor
    enrolled_view = lesson.make_preview_request(request, "").content.decode()
    assert "Teaching text for lesson 1.1." in enrolled_view
    locked_view = lesson.make_preview_request(request, "not_enrolled").content.decode()
    assert "Teaching text for lesson 1.1." not in locked_view
    assert f"Enrol on {course.title} to see this lesson" in locked_view


def test_previous_and_next_lessons_cross_modules(client, course, enrolled):
    lessons = lessons_of(course)
    client.force_login(enrolled)
    html = _html(client.get(lessons[1].url))
    assert (
        f'class="nhsuk-pagination__link nhsuk-pagination__link--prev" href="{lessons[0].url}"'
        in html
    )
    assert (
        f'class="nhsuk-pagination__link nhsuk-pagination__link--next" href="{lessons[2].url}"'
        in html
    )
    first = _html(client.get(lessons[0].url))
    assert "nhsuk-pagination__link--prev" not in first
    last = _html(client.get(lessons[3].url))
    assert "Next lesson" not in last
    assert (
        f'class="nhsuk-pagination__link nhsuk-pagination__link--next" href="{course.url}"' in last
    )
    assert "Back to the course" in last


def test_reflection_form_is_prefilled_and_private(client, course, enrolled):
    lesson = lessons_of(course)[0]
    lesson.body = [
        ("text", "<p>Teaching text.</p>"),
        ("reflection", {"prompt": "How did the baby show you what they needed?", "guidance": ""}),
    ]
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    block_id = next(block.id for block in lesson.body if block.block_type == "reflection")
    reflection_save(user=enrolled, lesson=lesson, block_id=block_id, text="She turned away.")
    client.force_login(enrolled)
    html = _html(client.get(lesson.url))
    action = reverse("imh_courses:reflection_save", args=[lesson.pk, block_id])
    assert f'<form method="post" action="{action}"' in html
    assert f'<label class="nhsuk-label nhsuk-label--m" for="reflection-{block_id}">' in html
    assert ">She turned away.</textarea>" in html
    assert "Your answer is private" in html


def test_reflection_answers_are_not_shown_to_anyone_else(client, course, enrolled):
    lesson = lessons_of(course)[0]
    lesson.body = [("reflection", {"prompt": "What did you notice?", "guidance": ""})]
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    block_id = lesson.body[0].id
    reflection_save(user=enrolled, lesson=lesson, block_id=block_id, text="My private answer")
    other = UserFactory()
    enrolment_create(user=other, course=course)
    client.force_login(other)
    html = _html(client.get(lesson.url))
    assert "My private answer" not in html
    assert "<textarea" in html


# Drafts and private pages.


def test_draft_lessons_are_neither_listed_nor_served(client, course, enrolled):
    module = ModulePage.objects.child_of(course).first()
    draft = _draft_lesson(module)
    client.force_login(enrolled)
    assert "Draft lesson" not in _html(client.get(course.url))
    assert "Draft lesson" not in _html(client.get(module.url))
    assert client.get(f"{module.url}draft-lesson/").status_code == 404
    # Nor is it anyone's next lesson.
    assert draft.pk not in [lesson.id for lesson in outline_lessons(course_outline(course=course))]


def test_unpublished_modules_take_their_lessons_with_them(client, course, enrolled):
    module = ModulePage.objects.child_of(course).last()
    module.unpublish(set_expired=False, commit=True, user=None, log_action=False)
    module.refresh_from_db()
    lessons = lessons_of(course)
    client.force_login(enrolled)
    html = _html(client.get(course.url))
    assert "Lesson 2.1" not in html
    assert "Lesson 1.2" in html
    # The last published lesson has no next lesson to go to.
    assert "Next lesson" not in _html(client.get(lessons[1].url))


def test_private_lessons_are_not_listed_and_stay_private(client, course, enrolled):
    lesson = lessons_of(course)[1]
    PageViewRestriction.objects.create(
        page=lesson, restriction_type=PageViewRestriction.PASSWORD, password="s3cret"
    )
    client.force_login(enrolled)
    html = _html(client.get(course.url))
    assert lesson.title not in html
    served = _html(client.get(lesson.url))
    assert "Teaching text for lesson 1.2." not in served
    assert 'type="password"' in served
    _previous, following = lesson_neighbours(lesson=lessons_of(course)[0])
    assert following.id == lessons_of(course)[2].pk


def test_a_private_module_hides_its_lessons(client, course, enrolled):
    module = ModulePage.objects.child_of(course).first()
    restriction = PageViewRestriction.objects.create(
        page=module, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([Group.objects.get(name="Educators")])
    client.force_login(enrolled)
    html = _html(client.get(course.url))
    assert "Lesson 1.1" not in html
    assert "Lesson 2.1" in html
    assert client.get(lessons_of(course)[0].url).status_code in (302, 403)


def test_a_login_only_course_still_lists_its_lessons_to_those_logged_in(client, course, enrolled):
    PageViewRestriction.objects.create(page=course, restriction_type=PageViewRestriction.LOGIN)
    assert client.get(course.url).status_code == 302  # to the login page
    client.force_login(enrolled)
    html = _html(client.get(course.url))
    assert html.count("nhsuk-task-list__item ") == 4


def test_unknown_lesson_urls_are_not_found(client, course):
    assert client.get(f"{course.url}module-1/no-such-lesson/").status_code == 404
    assert client.get(f"{course.url}no-such-module/").status_code == 404
    assert client.get(f"{course_index().url}no-such-course/").status_code == 404
    assert client.get(f"{course.url}module-1/lesson-1/too-deep/").status_code == 404


def test_only_the_course_index_routes_its_own_courses(client, course):
    other_index = (
        course_index()
        .get_parent()
        .add_child(instance=CourseIndexPage(title="Other courses", slug="other-courses"))
    )
    assert client.get(f"{other_index.url}{course.slug}/").status_code == 404


# A fixed number of queries, whatever the size of the course.


def _count(client, url: str) -> int:
    client.get(url)  # warm per-process caches (content types, site root paths)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def _course_with(lessons: int, slug: str) -> CoursePage:
    modules = 1 if lessons <= 5 else lessons // 10
    per_module = lessons // modules
    return create_course(
        title=f"{lessons} lessons",
        slug=slug,
        modules=modules,
        lessons_per_module=per_module,
        cpd_hours=Decimal("1.0"),
    )


@pytest.fixture
def small_and_large():
    small, large = _course_with(5, "small"), _course_with(50, "large")
    assert len(lessons_of(small)) == 5
    assert len(lessons_of(large)) == 50
    return small, large


@pytest.mark.parametrize("who", ["anonymous", "enrolled"])
def test_course_module_and_lesson_pages_make_a_fixed_number_of_queries(
    client, small_and_large, who, django_assert_num_queries
):
    small, large = small_and_large
    if who == "enrolled":
        trainee = UserFactory()
        for course in (small, large):
            enrolment_create(user=trainee, course=course)
            for lesson in lessons_of(course)[:3]:
                lesson_complete(user=trainee, lesson=lesson)
        client.force_login(trainee)

    def pages(course):
        lessons = lessons_of(course)
        module = ModulePage.objects.child_of(course).first()
        return [course.url, module.url, lessons[2].url, lessons[-1].url]

    for small_url, large_url in zip(pages(small), pages(large), strict=True):
        expected = _count(client, small_url)
        client.get(large_url)
        with django_assert_num_queries(expected):
            client.get(large_url)


# The outline's cached HTML and its figures.


def test_the_outline_shows_a_new_tick_and_a_new_title_at_once(client, course, enrolled):
    lessons = lessons_of(course)
    client.force_login(enrolled)
    assert "✓ </span>Completed" not in _html(client.get(course.url))
    lesson_complete(user=enrolled, lesson=lessons[0])
    assert _html(client.get(course.url)).count("✓ </span>Completed") == 1
    lessons[1].title = "Watching and wondering"
    lessons[1].save_revision().publish()
    assert "Watching and wondering" in _html(client.get(course.url))


def test_someone_else_never_sees_a_trainees_ticks(client, course, enrolled):
    lesson_complete(user=enrolled, lesson=lessons_of(course)[0])
    client.force_login(enrolled)
    assert "✓ </span>Completed" in _html(client.get(course.url))
    client.logout()
    assert "Completed" not in _html(client.get(course.url))


@pytest.mark.parametrize("done", [0, 1, 2, 3])
def test_outline_progress_agrees_with_course_progress(course, enrolled, done):
    from imh_courses.selectors.learning import course_progress, enrolment_current
    from imh_courses.selectors.pages import outline_progress

    lessons = lessons_of(course)
    lessons[3].required = False
    lessons[3].save_revision().publish()
    for lesson in lessons[:done]:
        lesson_complete(user=enrolled, lesson=lesson)
    enrolment = enrolment_current(user=enrolled, course=course)
    ours = outline_progress(
        modules=course_outline(course=course, enrolment=enrolment), enrolment=enrolment
    )
    theirs = course_progress(enrolment=enrolment)
    for key in ("percent", "completed_ids", "required_total", "required_completed"):
        assert ours[key] == theirs[key], key
    assert ours["lesson_total"] == theirs["lesson_total"]
    assert getattr(ours["next_lesson"], "id", None) == getattr(theirs["next_lesson"], "pk", None)


def test_lesson_breadcrumbs_lead_back_through_module_course_and_courses(client, course, enrolled):
    lesson = lessons_of(course)[0]
    module = ModulePage.objects.child_of(course).first()
    client.force_login(enrolled)
    html = _html(client.get(lesson.url))
    start = html.index('class="nhsuk-breadcrumb"')
    crumbs = html[start : html.index("</nav>", start)]
    for page in (course_index().get_parent(), course_index(), course, module):
        assert f'href="{page.url}">{page.title}</a>' in crumbs
    assert lesson.title not in crumbs


# Previews in the admin.


@pytest.fixture
def editor_request(rf):
    editor = UserFactory(username="previewing-editor")
    editor.is_superuser = True
    editor.save()
    request = rf.get("/")
    request.user = editor
    return request


def _unsaved_child(parent, instance):
    """A new page as Wagtail's 'preview on create' builds it: in the tree, but not saved."""
    instance.depth = parent.depth + 1
    last = parent.get_last_child()
    instance.path = last._inc_path() if last else instance._get_path(parent.path, instance.depth, 1)
    return instance


def test_existing_course_module_and_lesson_pages_preview(editor_request, course):
    module = ModulePage.objects.child_of(course).first()
    for page in (course, module, lessons_of(course)[0]):
        response = page.make_preview_request(editor_request, "")
        assert response.status_code == 200, page
        assert page.title in response.content.decode()


def test_new_pages_preview_before_they_are_saved(editor_request, course):
    module = ModulePage.objects.child_of(course).first()
    new_course = _unsaved_child(
        course_index(),
        CoursePage(
            title="A new course", slug="new", summary="Soon.", cpd_hours=1, estimated_hours=1
        ),
    )
    new_module = _unsaved_child(course, ModulePage(title="A new module", slug="new"))
    new_lesson = _unsaved_child(
        module,
        LessonPage(title="A new lesson", slug="new", body=[("text", "<p>Draft words.</p>")]),
    )
    for page in (new_course, new_module, new_lesson):
        response = page.make_preview_request(editor_request, page.default_preview_mode)
        assert response.status_code == 200, page
        assert page.title in response.content.decode()
    html = new_lesson.make_preview_request(editor_request, "").content.decode()
    assert "Draft words." in html
