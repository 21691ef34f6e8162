"""Required activities gate their lesson: "Mark as complete" waits for them, they are labelled
"Required", progress never reaches 100% without them, and the course page says what is left."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from imh_assessments.models import H5PActivity
from imh_assessments.models.xapi import ActivityResult
from imh_assessments.selectors.required import required_activities
from imh_assessments.services import quizzes as quiz_services
from imh_courses.models import CourseCompletion, CoursePage, LessonProgress
from imh_courses.selectors.learning import course_progress, enrolment_current, my_learning
from imh_courses.services.learning import enrolment_create, lesson_complete
from tests.assessments.factories_quizzes import correct_answers, quiz_of, single_choice
from tests.courses.factories import create_attended_booking, create_course, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def place(lesson, *activities):
    lesson.body = [("text", "<p>Read this first.</p>"), *activities]
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    return lesson


def h5p_activity(title: str = "Reading a baby's cues") -> H5PActivity:
    return H5PActivity.objects.create(title=title, package="h5p/packages/cues.h5p")


def pass_h5p(user, activity):
    ActivityResult.objects.create(
        user=user,
        activity=activity,
        attempts=1,
        score=1,
        completed=True,
        passed=True,
        passed_at="2026-01-05T10:00:00Z",
        first_attempt_at="2026-01-05T10:00:00Z",
        last_attempt_at="2026-01-05T10:00:00Z",
        updated_at="2026-01-05T10:00:00Z",
    )


def pass_quiz(user, quiz, lesson, on_commit):
    attempt = quiz_services.quiz_attempt_start(user=user, quiz=quiz, page_id=lesson.pk)
    with on_commit(execute=True):
        quiz_services.quiz_attempt_submit(
            user=user, token=attempt.token, answers=correct_answers(attempt)
        )


def text(html: str) -> str:
    """The page's words with tags and runs of spaces squeezed, for assertions on sentences."""
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


@pytest.fixture
def course():
    return create_course(title="Responsive care", modules=1, lessons_per_module=2)


@pytest.fixture
def trainee(course):
    user = UserFactory()
    enrolment_create(user=user, course=course)
    return user


@pytest.fixture
def gated(course):
    """The first lesson holds a required quiz and a required H5P activity."""
    quiz = quiz_of(single_choice(), title="Attachment basics")
    activity = h5p_activity()
    first = place(
        lessons_of(course)[0],
        ("quiz", {"quiz": quiz, "required": True}),
        ("h5p", {"activity": activity, "required": True}),
    )
    return first, quiz, activity


class TestMarkAsComplete:
    def test_refused_while_a_required_activity_is_not_passed(self, trainee, gated):
        lesson, _, _ = gated
        with pytest.raises(ValidationError) as refused:
            lesson_complete(user=trainee, lesson=lesson)
        message = " ".join(refused.value.messages)
        assert "the quiz “Attachment basics”" in message
        assert "the activity “Reading a baby's cues”" in message
        assert refused.value.code == "activities_outstanding"
        assert not LessonProgress.objects.exists()

    def test_refused_until_the_last_one_is_passed(
        self, trainee, gated, django_capture_on_commit_callbacks
    ):
        lesson, quiz, activity = gated
        pass_quiz(trainee, quiz, lesson, django_capture_on_commit_callbacks)
        with pytest.raises(ValidationError) as refused:
            lesson_complete(user=trainee, lesson=lesson)
        assert "Attachment basics" not in " ".join(refused.value.messages)
        pass_h5p(trainee, activity)
        assert lesson_complete(user=trainee, lesson=lesson).lesson_id == lesson.pk

    def test_the_view_says_why_and_records_nothing(self, client, trainee, gated):
        lesson, _, _ = gated
        client.force_login(trainee)
        response = client.post(reverse("imh_courses:lesson_complete", args=[lesson.pk]))
        assert response.status_code == 302
        assert response["Location"] == lesson.url
        (message,) = [str(m) for m in get_messages(response.wsgi_request)]
        assert message.startswith("To complete “Lesson 1.1”, pass the quiz “Attachment basics”")
        assert not LessonProgress.objects.exists()

    def test_optional_activities_do_not_gate(self, course, trainee):
        quiz = quiz_of(single_choice())
        lesson = place(lessons_of(course)[0], ("quiz", {"quiz": quiz, "required": False}))
        assert lesson_complete(user=trainee, lesson=lesson)

    def test_a_course_that_does_not_ask_for_assessments_does_not_gate(self, trainee, gated):
        course = CoursePage.objects.get()
        course.require_assessments = False
        course.save_revision().publish()
        lesson, _, _ = gated
        assert lesson_complete(user=trainee, lesson=lesson)


class TestPassingCompletes:
    def test_passing_the_last_required_activity_completes_the_lesson(
        self, course, trainee, django_capture_on_commit_callbacks
    ):
        quiz = quiz_of(single_choice())
        lesson = place(lessons_of(course)[0], ("quiz", {"quiz": quiz, "required": True}))
        pass_quiz(trainee, quiz, lesson, django_capture_on_commit_callbacks)
        progress = LessonProgress.objects.get(lesson=lesson)
        assert progress.method == LessonProgress.Method.ACTIVITIES


class TestLessonPage:
    def test_the_button_gives_way_to_what_is_left(self, client, trainee, gated):
        lesson, quiz, activity = gated
        client.force_login(trainee)
        html = client.get(lesson.url).content.decode()
        assert "Mark as complete" not in html
        words = text(html)
        assert "To complete this lesson Pass these required activities:" in words
        assert f'href="#quiz-{quiz.pk}"' in html
        assert f'href="#h5p-{activity.pk}"' in html
        assert f'id="h5p-{activity.pk}"' in html
        assert "The lesson is marked as complete as soon as you pass them all." in words

    def test_each_required_activity_is_labelled(self, client, course, trainee):
        required, optional = quiz_of(single_choice()), quiz_of(single_choice())
        lesson = place(
            lessons_of(course)[0],
            ("quiz", {"quiz": required, "required": True}),
            ("quiz", {"quiz": optional, "required": False}),
            ("h5p", {"activity": h5p_activity(), "required": True}),
        )
        client.force_login(trainee)
        html = client.get(lesson.url).content.decode()
        assert html.count('<strong class="nhsuk-tag imh-tag-required">Required</strong>') == 2
        assert "You must pass this quiz to complete the lesson." in html
        assert "You must pass this activity to complete the lesson." in html

    def test_no_label_where_the_course_does_not_ask_for_assessments(self, client, course, trainee):
        course.require_assessments = False
        course.save_revision().publish()
        lesson = place(
            lessons_of(course)[0], ("quiz", {"quiz": quiz_of(single_choice()), "required": True})
        )
        client.force_login(trainee)
        html = client.get(lesson.url).content.decode()
        assert "imh-tag-required" not in html
        assert "Mark as complete" in html

    def test_once_passed_the_button_is_back(self, client, trainee, gated):
        lesson, quiz, activity = gated
        pass_h5p(trainee, activity)
        client.force_login(trainee)
        assert "Mark as complete" not in client.get(lesson.url).content.decode()  # the quiz
        attempt = quiz_services.quiz_attempt_start(user=trainee, quiz=quiz, page_id=lesson.pk)
        # Submitted without running the on-commit work, so the lesson is not completed for
        # the trainee: with nothing left to pass, they may mark it themselves.
        quiz_services.quiz_attempt_submit(
            user=trainee, token=attempt.token, answers=correct_answers(attempt)
        )
        html = client.get(lesson.url).content.decode()
        assert "Mark as complete" in html
        assert "To complete this lesson" not in html


class TestProgress:
    def test_never_a_hundred_percent_while_a_required_activity_is_not_passed(
        self, client, course, trainee
    ):
        # Both lessons were completed before the editor added a required quiz to the first.
        first, second = lessons_of(course)
        lesson_complete(user=trainee, lesson=first)
        quiz = quiz_of(single_choice(), title="Attachment basics")
        place(first, ("quiz", {"quiz": quiz, "required": True}))
        # The second lesson would complete the course if the quiz did not hold it back.
        lesson_complete(user=trainee, lesson=second)
        assert not CourseCompletion.objects.exists()

        enrolment = enrolment_current(user=trainee, course=course)
        progress = course_progress(enrolment=enrolment)
        assert progress["percent"] < 100
        # Two lessons and the quiz count; only the second lesson is done.
        assert progress["percent"] == 33
        assert first.pk not in progress["completed_ids"]
        assert [activity.title for activity, _ in progress["activities_outstanding"]] == [
            "Attachment basics"
        ]

        client.force_login(trainee)
        html = client.get(course.url).content.decode()
        assert "100%" not in html
        assert 'value="33"' in html
        assert html.count("✓ </span>Completed") == 1  # the second lesson only

    def test_course_page_and_my_learning_agree(self, client, course, trainee, gated):
        from imh_courses.selectors.pages import course_outline, outline_progress

        enrolment = enrolment_current(user=trainee, course=course)
        ours = outline_progress(
            modules=course_outline(course=course, enrolment=enrolment),
            enrolment=enrolment,
            activities=required_activities(
                user=trainee, page_ids=[lesson.pk for lesson in lessons_of(course)]
            ),
        )
        theirs = course_progress(enrolment=enrolment)
        for key in ("percent", "completed_ids", "activities_total", "activities_passed"):
            assert ours[key] == theirs[key]
        assert theirs["activities_total"] == 2

        (item,) = my_learning(user=trainee)["in_progress"]
        assert item["progress"]["percent"] == theirs["percent"] == 0
        client.force_login(trainee)
        words = text(client.get(reverse("imh_courses:my_learning")).content.decode())
        assert "0 of 2 required lessons done 0 of 2 required activities passed" in words


class TestWhatIsOutstanding:
    def test_the_course_page_lists_lessons_activities_and_sessions(
        self, client, trainee, gated, django_capture_on_commit_callbacks
    ):
        course = CoursePage.objects.get()
        course.required_live_sessions = 2
        course.save_revision().publish()
        lesson, quiz, activity = gated
        create_attended_booking(user=trainee, course=course)
        pass_quiz(trainee, quiz, lesson, django_capture_on_commit_callbacks)

        client.force_login(trainee)
        html = client.get(course.url).content.decode()
        words = text(html)
        assert "To complete this course" in words
        assert "Complete these 2 lessons: Lesson 1.1 Lesson 1.2" in words
        assert (
            "Pass this required activity: The activity “Reading a baby's cues” in Lesson 1.1"
            in words
        )
        assert f'href="{lesson.url}#h5p-{activity.pk}"' in html
        outstanding = words.split("To complete this course")[1].split("About this course")[0]
        assert "Attachment basics" not in outstanding  # passed
        assert (
            "Attend 1 more live session in full (you have attended 1 of the 2 this course asks "
            "for)" in words
        )
        # Lessons and sessions count too: two lessons, two activities, two sessions.
        assert "33% complete" in words

    def test_nothing_listed_once_complete(self, client, course, trainee):
        for lesson in lessons_of(course):
            lesson_complete(user=trainee, lesson=lesson)
        client.force_login(trainee)
        html = client.get(course.url).content.decode()
        assert "To complete this course" not in html
        assert "You completed this course on" in html


def test_required_activities_take_a_fixed_number_of_queries(
    course, trainee, django_assert_max_num_queries
):
    quiz, activity = quiz_of(single_choice()), h5p_activity()
    big = create_course(title="Big", slug="big", modules=2, lessons_per_module=4)
    for index, lesson in enumerate(lessons_of(big)):
        block = ("quiz", {"quiz": quiz}) if index % 2 else ("h5p", {"activity": activity})
        block[1]["required"] = True
        place(lesson, block)
    page_ids = [lesson.pk for lesson in lessons_of(big)]
    with django_assert_max_num_queries(5):
        found = required_activities(user=trainee, page_ids=page_ids)
    assert len(found) == 8
    assert not any(activity.passed for activity in found)
