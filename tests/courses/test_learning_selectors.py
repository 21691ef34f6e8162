"""Reads about learning: current enrolments, progress, My learning, reports, reflections."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from imh_courses.models import Booking, Enrolment, LiveSession
from imh_courses.selectors.learning import (
    course_enrolments,
    course_lessons_visible,
    course_progress,
    course_report,
    course_reports,
    enrolment_current,
    enrolment_latest,
    enrolment_open,
    lesson_next,
    my_learning,
    reflections_for,
    user_can_view_lessons,
)
from imh_courses.services.learning import (
    enrolment_create,
    lesson_complete,
    lesson_visit,
    reflection_save,
)
from tests.courses.factories import add_reflection_prompt, in_days, lessons_of
from tests.courses.factories import create_course as _create_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def create_course(**fields):
    fields.setdefault("modules", 2)
    fields.setdefault("lessons_per_module", 2)
    return _create_course(publish=False, **fields)


@pytest.fixture
def trainee():
    return UserFactory()


@pytest.fixture
def course():
    return create_course(title="Foundations")


def complete_all(user, course):
    for lesson in lessons_of(course):
        lesson_complete(user=user, lesson=lesson)


def withdraw(enrolment):
    Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.WITHDRAWN)


class TestEnrolmentLookups:
    def test_nothing_for_anonymous_or_never_enrolled(self, trainee, course):
        from django.contrib.auth.models import AnonymousUser

        for user in (AnonymousUser(), trainee):
            assert enrolment_current(user=user, course=course) is None
            assert enrolment_latest(user=user, course=course) is None
            assert enrolment_open(user=user, course=course) is None
            assert not user_can_view_lessons(user=user, course=course)

    def test_open_enrolment(self, trainee, course):
        enrolment = enrolment_create(user=trainee, course=course)
        assert enrolment_current(user=trainee, course=course) == enrolment
        assert enrolment_open(user=trainee, course=course) == enrolment
        assert user_can_view_lessons(user=trainee, course=course)

    def test_completed_then_renewing(self, trainee):
        course = create_course(certificate_validity_months=12)
        first = enrolment_create(user=trainee, course=course)
        complete_all(trainee, course)
        assert enrolment_current(user=trainee, course=course) == first
        assert enrolment_open(user=trainee, course=course) is None
        assert user_can_view_lessons(user=trainee, course=course)

        with time_machine.travel(datetime.timedelta(days=320)):  # the renewal is due
            renewal = enrolment_create(user=trainee, course=course)
        assert enrolment_current(user=trainee, course=course) == renewal
        assert enrolment_latest(user=trainee, course=course) == renewal

        withdraw(renewal)
        assert enrolment_current(user=trainee, course=course) == first
        assert enrolment_latest(user=trainee, course=course).pk == renewal.pk

    def test_withdrawn_only_cannot_see_lessons(self, trainee, course):
        withdraw(enrolment_create(user=trainee, course=course))
        assert enrolment_current(user=trainee, course=course) is None
        assert not user_can_view_lessons(user=trainee, course=course)

    def test_course_enrolments(self, course):
        first = enrolment_create(user=UserFactory(), course=course)
        second = enrolment_create(user=UserFactory(), course=course)
        enrolment_create(user=UserFactory(), course=create_course(slug="other"))
        assert list(course_enrolments(course=course)) == [second, first]


class TestVisibleLessons:
    def test_live_lessons_under_live_unrestricted_modules_in_order(self):
        course = create_course(modules=3, lessons_per_module=3)
        lessons = lessons_of(course)
        lessons[0].unpublish()
        PageViewRestriction.objects.create(page=lessons[1], restriction_type="login")
        lessons[3].get_parent().unpublish()  # module 2: lessons 3 to 5 go with it
        PageViewRestriction.objects.create(page=lessons[6].get_parent(), restriction_type="groups")
        assert course_lessons_visible(courses=[course]) == {course.pk: [lessons[2]]}

    def test_every_course_gets_its_own_lessons(self, course):
        other = create_course(slug="other", modules=1, lessons_per_module=3)
        empty = create_course(slug="empty", modules=0)
        visible = course_lessons_visible(courses=[course, other, empty])
        assert visible[course.pk] == lessons_of(course)
        assert visible[other.pk] == lessons_of(other)
        assert visible[empty.pk] == []

    def test_a_restriction_on_the_course_itself_hides_nothing(self, course):
        PageViewRestriction.objects.create(page=course, restriction_type="login")
        assert course_lessons_visible(courses=[course])[course.pk] == lessons_of(course)

    def test_lesson_next_crosses_modules(self, course):
        lessons = lessons_of(course)
        assert lesson_next(lesson=lessons[1]) == lessons[2]
        assert lesson_next(lesson=lessons[-1]) is None


class TestCourseProgress:
    def test_counts_required_lessons_and_points_to_the_next(self, trainee, course):
        lessons = lessons_of(course)
        optional = lessons[3]
        optional.required = False
        optional.save()
        enrolment = enrolment_create(user=trainee, course=course)
        lesson_complete(user=trainee, lesson=lessons[0])
        lesson_complete(user=trainee, lesson=optional)

        progress = course_progress(enrolment=enrolment)

        assert progress["percent"] == 33
        assert progress["completed_ids"] == {lessons[0].pk, optional.pk}
        assert progress["required_total"] == 3
        assert progress["required_completed"] == 1
        assert progress["lesson_total"] == 4
        assert progress["lessons_completed"] == 2
        assert progress["next_lesson"] == lessons[1]

    def test_completed_is_a_hundred_percent(self, trainee, course):
        enrolment = enrolment_create(user=trainee, course=course)
        complete_all(trainee, course)
        enrolment.refresh_from_db()
        progress = course_progress(enrolment=enrolment)
        assert progress["percent"] == 100
        assert progress["next_lesson"] is None

    def test_a_fixed_number_of_queries(self, trainee, django_assert_num_queries):
        small = create_course(slug="small", modules=1, lessons_per_module=1)
        large = create_course(slug="large", modules=4, lessons_per_module=4)
        small_enrolment = enrolment_create(user=trainee, course=small)
        large_enrolment = enrolment_create(user=trainee, course=large)
        for lesson in lessons_of(large)[:7]:
            lesson_complete(user=trainee, lesson=lesson)
        with CaptureQueriesContext(connection) as small_queries:
            course_progress(enrolment=small_enrolment)
        with django_assert_num_queries(len(small_queries)):
            course_progress(enrolment=large_enrolment)


class TestMyLearning:
    @time_machine.travel(datetime.datetime(2025, 6, 2, 9, tzinfo=datetime.UTC), tick=False)
    def test_sections(self, trainee):
        manager = UserFactory()
        chosen = create_course(title="Chosen", slug="chosen")
        overdue = create_course(title="Overdue", slug="overdue")
        later = create_course(title="Due later", slug="later")
        finished = create_course(title="Finished", slug="finished", certificate_validity_months=1)
        withdrawn = create_course(title="Withdrawn", slug="withdrawn")

        with time_machine.travel(datetime.datetime(2025, 5, 1, 9, tzinfo=datetime.UTC)):
            enrolment_create(
                user=trainee,
                course=overdue,
                assigned_by=manager,
                due_on=datetime.date(2025, 6, 1),
            )
            enrolment_create(user=trainee, course=finished)
            complete_all(trainee, finished)
        enrolment_create(
            user=trainee, course=later, assigned_by=manager, due_on=datetime.date(2025, 7, 1)
        )
        chosen_enrolment = enrolment_create(user=trainee, course=chosen)
        chosen_lessons = lessons_of(chosen)
        lesson_complete(user=trainee, lesson=chosen_lessons[0])
        lesson_visit(user=trainee, lesson=chosen_lessons[2])
        withdraw(enrolment_create(user=trainee, course=withdrawn))

        data = my_learning(user=trainee)

        assert [item["course"].title for item in data["assigned"]] == ["Overdue", "Due later"]
        assert [item["overdue"] for item in data["assigned"]] == [True, False]
        assert data["assigned"][0]["continue_lesson"] == lessons_of(overdue)[0]

        (in_progress,) = data["in_progress"]
        assert in_progress["enrolment"] == chosen_enrolment
        assert in_progress["progress"]["required_completed"] == 1
        # Where they left off, not the first lesson still to do.
        assert in_progress["continue_lesson"] == chosen_lessons[2]

        (completed,) = data["completed"]
        assert completed["course"].title == "Finished"
        assert completed["completion"].expires_on == datetime.date(2025, 6, 1)
        assert completed["expired"] is True
        assert data["upcoming_sessions"] == []

    @time_machine.travel(datetime.datetime(2025, 6, 2, 9, tzinfo=datetime.UTC), tick=False)
    def test_expiring_soon(self, trainee):
        course = create_course(certificate_validity_months=1)
        enrolment_create(user=trainee, course=course)
        complete_all(trainee, course)
        (completed,) = my_learning(user=trainee)["completed"]
        assert completed["expires_soon"] is True
        assert completed["expired"] is False

    def test_only_the_latest_completion_of_a_course_is_listed(self, trainee):
        course = create_course(certificate_validity_months=12)
        enrolment_create(user=trainee, course=course)
        complete_all(trainee, course)
        with time_machine.travel(datetime.timedelta(days=320)):  # the renewal is due
            renewal = enrolment_create(user=trainee, course=course)
            complete_all(trainee, course)
            (completed,) = my_learning(user=trainee)["completed"]
        assert completed["enrolment"] == renewal

    def test_upcoming_sessions(self, trainee, course):
        def session(title, days):
            starts = in_days(days)
            return LiveSession.objects.create(
                course=course,
                title=title,
                starts_at=starts,
                ends_at=starts + datetime.timedelta(hours=1),
                joining_url="https://example.org/join",
            )

        soon, later, past, cancelled = (
            session("Soon", 2),
            session("Later", 9),
            session("Past", -2),
            session("Cancelled booking", 3),
        )
        Booking.objects.create(session=later, user=trainee, status="waitlisted")
        Booking.objects.create(session=soon, user=trainee, status="confirmed")
        Booking.objects.create(session=past, user=trainee, status="confirmed")
        Booking.objects.create(session=cancelled, user=trainee, status="cancelled")
        Booking.objects.create(session=soon, user=UserFactory(), status="confirmed")

        upcoming = my_learning(user=trainee)["upcoming_sessions"]
        assert [booking.session.title for booking in upcoming] == ["Soon", "Later"]

    def test_a_fixed_number_of_queries_for_3_or_30_enrolments(
        self, trainee, django_assert_num_queries
    ):
        def enrol_on(count, prefix):
            for number in range(count):
                course = create_course(
                    title=f"{prefix} {number}",
                    slug=f"{prefix}-{number}",
                    modules=1,
                    lessons_per_module=2,
                )
                if number % 3 == 0:
                    enrolment_create(
                        user=user, course=course, assigned_by=trainee, due_on=in_days(10).date()
                    )
                else:
                    enrolment_create(user=user, course=course)
                lesson = lessons_of(course)[0]
                lesson_complete(user=user, lesson=lesson)
                if number % 2 == 0:
                    lesson_complete(user=user, lesson=lessons_of(course)[1])
                starts = in_days(5 + number)
                session = LiveSession.objects.create(
                    course=course,
                    title=f"Session {number}",
                    starts_at=starts,
                    ends_at=starts + datetime.timedelta(hours=1),
                    venue="Room 1",
                )
                Booking.objects.create(session=session, user=user, status="confirmed")

        user = UserFactory()
        enrol_on(3, "few")
        with CaptureQueriesContext(connection) as few:
            data = my_learning(user=user)
        assert len(data["completed"]) == 2
        assert len(data["upcoming_sessions"]) == 3

        user = UserFactory()
        enrol_on(30, "many")
        with django_assert_num_queries(len(few)):
            data = my_learning(user=user)
        assert len(data["completed"]) == 15
        assert len(data["assigned"]) + len(data["in_progress"]) == 15
        assert len(data["upcoming_sessions"]) == 30


class TestReports:
    def test_numbers(self):
        course = create_course(title="Reported")
        other = create_course(title="Quiet", slug="quiet")
        start = datetime.datetime(2025, 1, 6, 9, tzinfo=datetime.UTC)
        for days in (2, 4, 10):
            user = UserFactory()
            with time_machine.travel(start, tick=False):
                enrolment_create(user=user, course=course)
            with time_machine.travel(start + datetime.timedelta(days=days), tick=False):
                complete_all(user, course)
        enrolment_create(user=UserFactory(), course=course)
        withdraw(enrolment_create(user=UserFactory(), course=course))

        report = course_report(course=course)
        assert report["enrolled"] == 5
        assert report["in_progress"] == 1
        assert report["completed"] == 3
        assert report["withdrawn"] == 1
        assert report["completion_rate"] == 60.0
        assert report["median_days_to_complete"] == 4.0

        quiet = course_report(course=other)
        assert quiet["enrolled"] == 0
        assert quiet["completion_rate"] is None
        assert quiet["median_days_to_complete"] is None

    def test_median_of_an_even_number(self):
        course = create_course()
        start = datetime.datetime(2025, 1, 6, 9, tzinfo=datetime.UTC)
        for days in (1, 2, 5, 30):
            user = UserFactory()
            with time_machine.travel(start, tick=False):
                enrolment_create(user=user, course=course)
            with time_machine.travel(start + datetime.timedelta(days=days), tick=False):
                complete_all(user, course)
        assert course_report(course=course)["median_days_to_complete"] == 3.5

    def test_all_courses_in_a_fixed_number_of_queries(self, django_assert_num_queries):
        for number in range(3):
            course = create_course(slug=f"c{number}", modules=1, lessons_per_module=1)
            enrolment_create(user=UserFactory(), course=course)
        with django_assert_num_queries(3):
            reports = course_reports()
        assert len(reports) == 3


def test_reflections_for_lists_only_ones_own(trainee, course):
    lesson = lessons_of(course)[0]
    add_reflection_prompt(lesson, block_id="r1")
    other = UserFactory()
    for user in (trainee, other):
        enrolment_create(user=user, course=course)
        reflection_save(user=user, lesson=lesson, block_id="r1", text=f"By {user.username}")
    assert [r.text for r in reflections_for(user=trainee)] == [f"By {trainee.username}"]


def test_timezone_of_due_dates_is_uk(trainee):
    """Overdue is judged by the UK date: just after midnight BST is already the next day."""
    course = create_course()
    with time_machine.travel(datetime.datetime(2025, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        enrolment_create(
            user=trainee, course=course, assigned_by=trainee, due_on=datetime.date(2025, 6, 1)
        )
    # 23:30 UTC on 1 June is 00:30 on 2 June in London.
    with time_machine.travel(datetime.datetime(2025, 6, 1, 23, 30, tzinfo=datetime.UTC)):
        assert timezone.localdate() == datetime.date(2025, 6, 2)
        assert my_learning(user=trainee)["assigned"][0]["overdue"] is True
