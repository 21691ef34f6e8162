"""Courses meet competencies and assessments: who may attempt activities, lessons completed by
activities, competency mappings edited in the admin, attendance and completion as evidence."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser, Group
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from imh_assessments.access import pages_user_may_attempt
from imh_assessments.models import H5PActivity
from imh_assessments.models.xapi import ActivityResult
from imh_assessments.services import quizzes as quiz_services
from imh_assessments.signals import activity_passed
from imh_competencies.models import Evidence, PageCompetency
from imh_courses.models import (
    CourseCompletion,
    CoursePage,
    Enrolment,
    LessonProgress,
    LiveSessionCompetency,
)
from imh_courses.services import sessions as session_services
from imh_courses.services.learning import enrolment_create, lesson_complete
from tests.assessments.factories_quizzes import correct_answers, quiz_of, single_choice
from tests.competencies.factories import AreaFactory, CompetencyFactory, FrameworkFactory
from tests.courses.factories import create_course, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def educator():
    user = UserFactory()
    user.groups.add(Group.objects.get(name="Educators"))
    return user


def place(lesson, *activities):
    lesson.body = [("text", "<p>Read this first.</p>"), *activities]
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    return lesson


def h5p_activity() -> H5PActivity:
    return H5PActivity.objects.create(title="Reading cues", package="h5p/packages/cues.h5p")


@pytest.fixture
def course():
    return create_course(modules=1, lessons_per_module=2)


@pytest.fixture
def trainee(course):
    user = UserFactory()
    enrolment_create(user=user, course=course)
    return user


@pytest.fixture
def competencies():
    framework = FrameworkFactory(name="AiMH UK", levels=["Informed", "Skilled", "Enhanced"])
    area = AreaFactory(framework=framework, code="A", name="Relationships")
    return [CompetencyFactory(area=area, code=f"A{n}") for n in (1, 2, 3)]


# The attempt policy courses registers with assessments.


class TestAttemptPolicy:
    def test_enrolled_trainees_may_attempt_in_the_course_and_its_lessons(self, course, trainee):
        lessons = lessons_of(course)
        ids = [course.pk, *(lesson.pk for lesson in lessons)]
        assert pages_user_may_attempt(user=trainee, page_ids=ids) == set(ids)

    def test_people_not_enrolled_may_not(self, course):
        ids = [lesson.pk for lesson in lessons_of(course)]
        assert pages_user_may_attempt(user=UserFactory(), page_ids=ids) == set()
        assert pages_user_may_attempt(user=AnonymousUser(), page_ids=ids) == set()

    def test_an_enrolment_on_another_course_does_not_count(self, course, trainee):
        other = create_course(title="Another course", modules=1, lessons_per_module=1)
        other_lesson = lessons_of(other)[0]
        own_lesson = lessons_of(course)[0]
        assert pages_user_may_attempt(
            user=trainee, page_ids=[other_lesson.pk, own_lesson.pk, other.pk]
        ) == {own_lesson.pk}

    def test_completed_may_practise_but_withdrawn_may_not(self, course, trainee):
        lesson = lessons_of(course)[0]
        enrolment = Enrolment.objects.get(user=trainee)
        enrolment.status, enrolment.completed_at = Enrolment.Status.COMPLETED, timezone.now()
        enrolment.save()
        assert pages_user_may_attempt(user=trainee, page_ids=[lesson.pk]) == {lesson.pk}
        enrolment.status, enrolment.completed_at = Enrolment.Status.WITHDRAWN, None
        enrolment.save()
        assert pages_user_may_attempt(user=trainee, page_ids=[lesson.pk]) == set()

    def test_educators_previewing_are_refused(self, course):
        lesson = lessons_of(course)[0]
        superuser = UserFactory(is_superuser=True, is_staff=True)
        assert pages_user_may_attempt(user=superuser, page_ids=[lesson.pk]) == set()

    def test_draft_lessons_are_refused(self, course, trainee):
        lesson = lessons_of(course)[0]
        lesson.unpublish()
        assert pages_user_may_attempt(user=trainee, page_ids=[lesson.pk]) == set()

    def test_one_query_for_any_number_of_pages(self, trainee, django_assert_num_queries):
        big = create_course(title="Big", modules=3, lessons_per_module=3)
        enrolment_create(user=trainee, course=big)
        ids = [lesson.pk for lesson in lessons_of(big)]
        with django_assert_num_queries(1):
            assert pages_user_may_attempt(user=trainee, page_ids=ids) == set(ids)


# Lessons completed by activities.


class TestCompletionByActivities:
    def pass_quiz(self, user, quiz, lesson, on_commit):
        attempt = quiz_services.quiz_attempt_start(user=user, quiz=quiz, page_id=lesson.pk)
        with on_commit(execute=True):
            quiz_services.quiz_attempt_submit(
                user=user, token=attempt.token, answers=correct_answers(attempt)
            )

    def test_passing_the_quiz_completes_the_lesson_and_then_the_course(
        self, course, trainee, django_capture_on_commit_callbacks
    ):
        first, second = lessons_of(course)
        quiz = quiz_of(single_choice())
        place(first, ("quiz", {"quiz": quiz, "required": True}))
        lesson_complete(user=trainee, lesson=second)
        assert not CourseCompletion.objects.exists()

        self.pass_quiz(trainee, quiz, first, django_capture_on_commit_callbacks)

        progress = LessonProgress.objects.get(lesson=first, enrolment__user=trainee)
        assert progress.method == LessonProgress.Method.ACTIVITIES
        assert CourseCompletion.objects.filter(user=trainee, course=course).exists()

    def test_a_lesson_waits_for_all_its_required_activities(
        self, course, trainee, django_capture_on_commit_callbacks
    ):
        first, _ = lessons_of(course)
        quiz, activity = quiz_of(single_choice()), h5p_activity()
        place(
            first,
            ("quiz", {"quiz": quiz, "required": True}),
            ("h5p", {"activity": activity, "required": True}),
        )
        self.pass_quiz(trainee, quiz, first, django_capture_on_commit_callbacks)
        assert not LessonProgress.objects.filter(lesson=first).exists()

        now = timezone.now()
        ActivityResult.objects.create(
            user=trainee,
            activity=activity,
            attempts=1,
            score=1,
            completed=True,
            passed=True,
            passed_at=now,
            first_attempt_at=now,
            last_attempt_at=now,
            updated_at=now,
        )
        activity_passed.send(
            sender=ActivityResult,
            user=trainee,
            activity_type="h5p",
            activity_id=activity.pk,
            page_ids=[first.pk],
        )
        assert LessonProgress.objects.filter(
            lesson=first, method=LessonProgress.Method.ACTIVITIES
        ).exists()

    def test_optional_activities_leave_the_lesson_to_the_trainee(
        self, course, trainee, django_capture_on_commit_callbacks
    ):
        first, _ = lessons_of(course)
        quiz = quiz_of(single_choice())
        place(first, ("quiz", {"quiz": quiz, "required": False}))
        self.pass_quiz(trainee, quiz, first, django_capture_on_commit_callbacks)
        assert not LessonProgress.objects.exists()

    def test_the_assessment_rule_alone_completes_the_course(
        self, trainee, django_capture_on_commit_callbacks
    ):
        course = CoursePage.objects.get()
        course.require_all_lessons = False
        course.save_revision().publish()
        first, _ = lessons_of(course)
        quiz = quiz_of(single_choice())
        place(first, ("quiz", {"quiz": quiz, "required": True}))
        # Nothing required is passed yet, so the rule is not met.
        lesson_complete(user=trainee, lesson=lessons_of(course)[1])
        assert not CourseCompletion.objects.exists()
        self.pass_quiz(trainee, quiz, first, django_capture_on_commit_callbacks)
        assert CourseCompletion.objects.filter(user=trainee).exists()

    def test_people_not_enrolled_get_nothing(self, course):
        first, _ = lessons_of(course)
        quiz = quiz_of(single_choice())
        place(first, ("quiz", {"quiz": quiz, "required": True}))
        outsider = UserFactory()
        activity_passed.send(
            sender=None,
            user=outsider,
            activity_type="quiz",
            activity_id=quiz.pk,
            page_ids=[first.pk],
        )
        assert not LessonProgress.objects.exists()

    def test_pages_that_are_not_lessons_are_ignored(self, course, trainee):
        activity_passed.send(
            sender=None, user=trainee, activity_type="quiz", activity_id=1, page_ids=[course.pk]
        )
        assert not LessonProgress.objects.exists()


# Competency mappings in the editor.


def course_form(course: CoursePage, mappings: list[dict]) -> dict:
    return nested_form_data(
        {
            "title": course.title,
            "slug": course.slug,
            "summary": course.summary,
            "imh_level": "1",
            "cpd_hours": "3.0",
            "estimated_hours": "3.5",
            "self_enrolment": "on",
            "require_all_lessons": "on",
            "require_assessments": "on",
            "required_live_sessions": "0",
            "competency_mappings": inline_formset(mappings),
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )


def lesson_form(lesson, mappings: list[dict]) -> dict:
    return nested_form_data(
        {
            "title": lesson.title,
            "slug": lesson.slug,
            "required": "on",
            "estimated_minutes": "20",
            "body": streamfield([]),
            "competency_mappings": inline_formset(mappings),
            "comments": inline_formset([]),
            "action-publish": "publish",
        }
    )


class TestEditorMappings:
    def test_an_educator_maps_a_course_page(self, client, course, competencies):
        client.force_login(educator())
        edit = reverse("wagtailadmin_pages:edit", args=[course.pk])
        page = client.get(edit).content.decode()
        # The picker names the framework as well as the competency.
        assert "AiMH UK 1.0 \N{EN DASH} A1" in page
        response = client.post(
            edit,
            course_form(
                course,
                [
                    {"competency": competencies[0].pk, "level": "2"},
                    {"competency": competencies[1].pk, "level": "1"},
                ],
            ),
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        assert set(
            PageCompetency.objects.filter(page=course).values_list("competency_id", "level")
        ) == {(competencies[0].pk, 2), (competencies[1].pk, 1)}

    def test_an_educator_maps_a_lesson_and_a_module(self, client, course, competencies):
        client.force_login(educator())
        lesson = lessons_of(course)[0]
        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[lesson.pk]),
            lesson_form(lesson, [{"competency": competencies[2].pk, "level": "3"}]),
        )
        assert response.status_code == 302
        assert list(
            PageCompetency.objects.filter(page=lesson).values_list("competency_id", "level")
        ) == [(competencies[2].pk, 3)]
        module = lesson.get_parent()
        assert (
            "competency_mappings-TOTAL_FORMS"
            in client.get(reverse("wagtailadmin_pages:edit", args=[module.pk])).content.decode()
        )

    def test_a_level_beyond_the_framework_is_refused(self, client, course, competencies):
        client.force_login(educator())
        lesson = lessons_of(course)[0]
        response = client.post(
            reverse("wagtailadmin_pages:edit", args=[lesson.pk]),
            lesson_form(lesson, [{"competency": competencies[0].pk, "level": "4"}]),
        )
        assert response.status_code == 200
        assert "Choose a level from 1 to 3." in response.content.decode()
        assert not PageCompetency.objects.exists()


# Live sessions: mappings, and attendance as evidence.


def session_form(course, mappings: list[dict]) -> dict:
    return nested_form_data(
        {
            "course": course.pk,
            "kind": "workshop",
            "title": "Watch, wait and wonder",
            "description": "",
            "starts_at": "2030-06-05 14:00",
            "ends_at": "2030-06-05 16:00",
            "venue": "Hillside Library",
            "joining_url": "",
            "capacity": "15",
            "booking_opens_at": "",
            "booking_closes_at": "",
            "cancellation_cutoff_hours": "24",
            "facilitator": "",
            "competency_mappings": inline_formset(mappings),
        }
    )


class TestSessionMappings:
    def test_an_educator_maps_a_session(self, client, course, competencies):
        client.force_login(educator())
        response = client.post(
            reverse("courses_live_sessions:add"),
            session_form(course, [{"competency": competencies[1].pk, "level": "2"}]),
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        assert list(LiveSessionCompetency.objects.values_list("competency_id", "level")) == [
            (competencies[1].pk, 2)
        ]

    def test_a_bad_level_is_refused_and_nothing_stored(self, client, course, competencies):
        client.force_login(educator())
        response = client.post(
            reverse("courses_live_sessions:add"),
            session_form(course, [{"competency": competencies[1].pk, "level": "9"}]),
        )
        assert response.status_code == 200
        assert "Choose a level from 1 to 3." in response.content.decode()
        assert not LiveSessionCompetency.objects.exists()
        assert not course.live_sessions.exists()


class TestEvidence:
    @pytest.fixture
    def session(self, course, competencies):
        from imh_courses.models import LiveSession

        starts = timezone.now() - timedelta(days=1)
        session = LiveSession.objects.create(
            course=course,
            title="Watch, wait and wonder",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            venue="Hillside Library",
            capacity=5,
        )
        LiveSessionCompetency.objects.create(session=session, competency=competencies[0], level=2)
        LiveSessionCompetency.objects.create(session=session, competency=competencies[1], level=1)
        return session

    @pytest.fixture
    def booking(self, session, trainee):
        from imh_courses.models import Booking

        return Booking.objects.create(
            session=session, user=trainee, status=Booking.Status.CONFIRMED
        )

    def mark(self, session, booking, value):
        session_services.attendance_mark(
            session=session, marks={booking.pk: value}, actor=UserFactory(is_superuser=True)
        )

    def test_attending_records_evidence_and_a_correction_withdraws_it(
        self, session, booking, trainee, competencies
    ):
        self.mark(session, booking, "attended")
        evidence = Evidence.objects.filter(user=trainee, kind=Evidence.Kind.ATTENDANCE)
        assert set(evidence.values_list("competency_id", "level")) == {
            (competencies[0].pk, 2),
            (competencies[1].pk, 1),
        }
        item = evidence.first()
        assert item.title == "Watch, wait and wonder"
        assert item.occurred_on == timezone.localdate(session.starts_at)
        assert item.url == reverse("imh_courses:session_detail", args=[session.pk])

        self.mark(session, booking, "no_show")
        assert not Evidence.objects.filter(user=trainee).exists()

    def test_partial_attendance_is_not_evidence(self, session, booking, trainee):
        self.mark(session, booking, "partial")
        assert not Evidence.objects.filter(user=trainee).exists()

    def test_completing_a_mapped_course_is_evidence(self, course, trainee, competencies):
        PageCompetency.objects.create(page=course, competency=competencies[2], level=3)
        with time_machine.travel(timezone.now(), tick=False):
            for lesson in lessons_of(course):
                lesson_complete(user=trainee, lesson=lesson)
        completion = CourseCompletion.objects.get(user=trainee)
        evidence = Evidence.objects.get(user=trainee, kind=Evidence.Kind.COURSE)
        assert (evidence.competency_id, evidence.level) == (competencies[2].pk, 3)
        assert evidence.title == course.title
        assert (evidence.source_type, evidence.source_id) == (
            "imh_courses.coursecompletion",
            completion.pk,
        )

    def test_completing_an_unmapped_course_records_nothing(self, course, trainee):
        for lesson in lessons_of(course):
            lesson_complete(user=trainee, lesson=lesson)
        assert CourseCompletion.objects.filter(user=trainee).exists()
        assert not Evidence.objects.exists()
