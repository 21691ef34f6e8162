"""Enrolment, progress, completion and reflections: the rules, and that nothing slips past them."""

from __future__ import annotations

import datetime
from decimal import Decimal
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from imh_courses.models import (
    CourseCompletion,
    Enrolment,
    LessonProgress,
    Pathway,
    PathwayCompletion,
    PathwayCourse,
    Reflection,
)
from imh_courses.services.learning import (
    add_months,
    course_completion_evaluate,
    enrolment_create,
    lesson_complete,
    lesson_visit,
    reflection_save,
)
from imh_courses.signals import course_completed
from tests.courses.factories import add_reflection_prompt, create_attended_booking, lessons_of
from tests.courses.factories import create_course as _create_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def create_course(**fields):
    """A small live course; without revisions, which these rules never read (and it is quick)."""
    fields.setdefault("modules", 2)
    fields.setdefault("lessons_per_module", 2)
    return _create_course(publish=False, **fields)


@pytest.fixture
def trainee():
    return UserFactory(first_name="Sam", last_name="Midwife")


@pytest.fixture
def manager():
    return UserFactory(first_name="Morgan", last_name="Manager")


@pytest.fixture
def course():
    return create_course(title="Foundations")


@pytest.fixture
def completions_sent():
    """The completions announced through ``course_completed``."""
    sent = []

    def receiver(sender, completion, **kwargs):
        sent.append(completion)

    course_completed.connect(receiver, dispatch_uid="test-completions-sent")
    yield sent
    course_completed.disconnect(dispatch_uid="test-completions-sent")


def complete_all(user, course):
    progress = None
    for lesson in lessons_of(course):
        progress = lesson_complete(user=user, lesson=lesson)
    return progress


def error_codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


class TestAddMonths:
    @pytest.mark.parametrize(
        ("day", "months", "expected"),
        [
            (datetime.date(2025, 1, 15), 12, datetime.date(2026, 1, 15)),
            (datetime.date(2025, 1, 31), 1, datetime.date(2025, 2, 28)),
            (datetime.date(2024, 1, 31), 1, datetime.date(2024, 2, 29)),
            (datetime.date(2025, 11, 30), 3, datetime.date(2026, 2, 28)),
            (datetime.date(2025, 12, 1), 1, datetime.date(2026, 1, 1)),
            (datetime.date(2025, 6, 10), 36, datetime.date(2028, 6, 10)),
        ],
    )
    def test_calendar_months(self, day, months, expected):
        assert add_months(day, months) == expected


class TestEnrolmentCreate:
    def test_self_enrolment(self, trainee, course):
        enrolment = enrolment_create(user=trainee, course=course)
        assert enrolment.status == Enrolment.Status.ACTIVE
        assert enrolment.source == Enrolment.Source.SELF
        assert enrolment.cycle == 1
        assert enrolment.assigned_by is None

    def test_self_enrolling_again_returns_the_open_enrolment(self, trainee, course):
        first = enrolment_create(user=trainee, course=course)
        assert enrolment_create(user=trainee, course=course) == first
        assert Enrolment.objects.count() == 1

    def test_closed_self_enrolment_is_refused_with_a_reason(self, trainee):
        course = create_course(title="Specialist supervision", self_enrolment=False)
        with pytest.raises(ValidationError) as caught:
            enrolment_create(user=trainee, course=course)
        assert error_codes(caught.value) == {"self_enrolment_closed"}
        assert "Specialist supervision" in caught.value.messages[0]
        assert "assign" in caught.value.messages[0]
        assert not Enrolment.objects.exists()

    @time_machine.travel(datetime.datetime(2025, 3, 3, 10, tzinfo=datetime.UTC), tick=False)
    def test_assignment_with_a_due_date_even_when_self_enrolment_is_closed(self, trainee, manager):
        course = create_course(self_enrolment=False)
        enrolment = enrolment_create(
            user=trainee, course=course, assigned_by=manager, due_on=datetime.date(2025, 4, 30)
        )
        assert enrolment.source == Enrolment.Source.ASSIGNED
        assert enrolment.assigned_by == manager
        assert enrolment.due_on == datetime.date(2025, 4, 30)

    @time_machine.travel(datetime.datetime(2025, 3, 3, 10, tzinfo=datetime.UTC), tick=False)
    def test_a_due_date_in_the_past_is_refused(self, trainee, manager, course):
        with pytest.raises(ValidationError) as caught:
            enrolment_create(
                user=trainee, course=course, assigned_by=manager, due_on=datetime.date(2025, 3, 2)
            )
        assert caught.value.message_dict == {"due_on": ["The due date must be today or later."]}
        assert not Enrolment.objects.exists()

    @time_machine.travel(datetime.datetime(2025, 3, 3, 10, tzinfo=datetime.UTC), tick=False)
    def test_due_today_is_fine(self, trainee, manager, course):
        enrolment = enrolment_create(
            user=trainee, course=course, assigned_by=manager, due_on=datetime.date(2025, 3, 3)
        )
        assert enrolment.due_on == datetime.date(2025, 3, 3)

    @time_machine.travel(datetime.datetime(2025, 3, 3, 10, tzinfo=datetime.UTC), tick=False)
    def test_assigning_an_open_enrolment_takes_it_over(self, trainee, manager, course):
        own = enrolment_create(user=trainee, course=course)
        assigned = enrolment_create(
            user=trainee, course=course, assigned_by=manager, due_on=datetime.date(2025, 5, 1)
        )
        assert assigned.pk == own.pk
        own.refresh_from_db()
        assert own.source == Enrolment.Source.ASSIGNED
        assert own.assigned_by == manager
        assert own.due_on == datetime.date(2025, 5, 1)
        assert Enrolment.objects.count() == 1

    def test_an_unpublished_course_is_not_open(self, trainee):
        course = create_course(modules=1, lessons_per_module=1)
        course.unpublish()
        with pytest.raises(ValidationError) as caught:
            enrolment_create(user=trainee, course=course)
        assert error_codes(caught.value) == {"course_not_published"}

    def test_a_concurrent_enrolment_is_returned_not_duplicated(self, trainee, course):
        """Another request enrols the person between our check and our insert."""
        competing = {}
        original_full_clean = Enrolment.full_clean

        def other_request_wins(instance, *args, **kwargs):
            original_full_clean(instance, *args, **kwargs)
            if not competing:
                competing["enrolment"] = Enrolment.objects.create(
                    user=trainee, course=course, enrolled_at=instance.enrolled_at
                )

        with mock.patch.object(Enrolment, "full_clean", other_request_wins):
            enrolment = enrolment_create(user=trainee, course=course)
        assert enrolment == competing["enrolment"]
        assert Enrolment.objects.count() == 1


class TestPrerequisites:
    @pytest.fixture
    def basics(self):
        return create_course(title="Understanding babies' cues", slug="cues")

    @pytest.fixture
    def advanced(self, basics):
        course = create_course(title="Working with parents", slug="parents")
        course.prerequisites.add(basics)
        course.save()
        return course

    def test_blocked_with_the_missing_course_named(self, trainee, advanced):
        with pytest.raises(ValidationError) as caught:
            enrolment_create(user=trainee, course=advanced)
        assert error_codes(caught.value) == {"prerequisites_missing"}
        assert caught.value.messages == [
            "Before you can enrol on “Working with parents”, complete “Understanding babies' cues”."
        ]
        assert not Enrolment.objects.filter(course=advanced).exists()

    def test_an_assignment_names_the_person(self, trainee, manager, advanced):
        with pytest.raises(ValidationError) as caught:
            enrolment_create(user=trainee, course=advanced, assigned_by=manager)
        assert caught.value.messages[0].startswith("Sam Midwife must complete")

    def test_allowed_after_completing_the_prerequisite(self, trainee, basics, advanced):
        enrolment_create(user=trainee, course=basics)
        complete_all(trainee, basics)
        enrolment = enrolment_create(user=trainee, course=advanced)
        assert enrolment.status == Enrolment.Status.ACTIVE

    def test_an_unpublished_prerequisite_does_not_block(self, trainee, basics, advanced):
        basics.unpublish()
        assert enrolment_create(user=trainee, course=advanced).status == Enrolment.Status.ACTIVE

    def test_every_missing_course_is_named(self, trainee, basics, advanced):
        other = create_course(title="Attachment", slug="attachment")
        advanced.prerequisites.add(other)
        advanced.save()
        with pytest.raises(ValidationError) as caught:
            enrolment_create(user=trainee, course=advanced)
        assert "“Attachment” and “Understanding babies' cues”" in caught.value.messages[0]


class TestCompletion:
    def test_completing_every_required_lesson_completes_the_course(
        self, trainee, course, completions_sent, django_capture_on_commit_callbacks
    ):
        enrolment = enrolment_create(user=trainee, course=course)
        lessons = lessons_of(course)
        for lesson in lessons[:-1]:
            lesson_complete(user=trainee, lesson=lesson)
        assert not CourseCompletion.objects.exists()

        with django_capture_on_commit_callbacks(execute=True):
            progress = lesson_complete(user=trainee, lesson=lessons[-1])

        completion = CourseCompletion.objects.get()
        enrolment.refresh_from_db()
        assert enrolment.status == Enrolment.Status.COMPLETED
        assert enrolment.completed_at == completion.completed_at
        assert progress.enrolment.status == Enrolment.Status.COMPLETED
        assert completion.enrolment == enrolment
        assert completion.user == trainee
        assert completion.course_title == "Foundations"
        assert completion.cpd_hours == Decimal("3.0")
        assert completion.imh_level == 1
        assert completion.expires_on is None
        assert completion.sessions_attended == []
        assert completions_sent == [completion]

    def test_optional_lessons_do_not_count(self, trainee, course):
        lessons = lessons_of(course)
        optional = lessons[1]
        optional.required = False
        optional.save()
        enrolment_create(user=trainee, course=course)
        for lesson in lessons:
            if lesson.pk != optional.pk:
                lesson_complete(user=trainee, lesson=lesson)
        assert CourseCompletion.objects.filter(course=course, user=trainee).exists()
        assert not LessonProgress.objects.filter(lesson=optional).exists()

    def test_unpublished_lessons_do_not_count(self, trainee, course):
        lessons = lessons_of(course)
        lessons[-1].unpublish()
        enrolment_create(user=trainee, course=course)
        for lesson in lessons[:-1]:
            lesson_complete(user=trainee, lesson=lesson)
        assert CourseCompletion.objects.filter(user=trainee).exists()

    def test_required_live_sessions_must_be_attended(self, trainee):
        course = create_course(title="Blended course", required_live_sessions=1)
        enrolment = enrolment_create(user=trainee, course=course)
        complete_all(trainee, course)
        assert course_completion_evaluate(enrolment=enrolment) is None

        # Partial attendance does not count, nor does attending a session of another course.
        create_attended_booking(user=trainee, course=course, attendance="partial")
        create_attended_booking(user=trainee, course=create_course(slug="other"))
        assert course_completion_evaluate(enrolment=enrolment) is None

        booking = create_attended_booking(user=trainee, course=course, title="Reflective group")
        completion = course_completion_evaluate(enrolment=enrolment)
        assert completion is not None
        session = booking.session
        assert completion.sessions_attended == [
            {
                "title": "Reflective group",
                "kind": "workshop",
                "date": timezone.localdate(session.starts_at).isoformat(),
                "starts_at": session.starts_at.isoformat(),
            }
        ]

    def test_sessions_booked_before_this_enrolment_do_not_count(self, trainee):
        course = create_course(required_live_sessions=1, certificate_validity_months=12)
        first = enrolment_create(user=trainee, course=course)
        create_attended_booking(user=trainee, course=course, booked_at=first.enrolled_at)
        complete_all(trainee, course)
        assert first.completion  # the first cycle used that session

        with time_machine.travel(datetime.timedelta(days=400)):
            renewal = enrolment_create(user=trainee, course=course)
            complete_all(trainee, course)
            assert course_completion_evaluate(enrolment=renewal) is None

    def test_outstanding_required_activities_hold_completion_back(self, trainee, course):
        enrolment = enrolment_create(user=trainee, course=course)
        lessons = lessons_of(course)
        with mock.patch(
            "imh_courses.services.learning.required_activities_outstanding",
            return_value={lessons[0].pk},
        ) as outstanding:
            complete_all(trainee, course)
        assert not CourseCompletion.objects.exists()
        kwargs = outstanding.call_args.kwargs
        assert kwargs["user"] == trainee
        assert set(kwargs["lesson_ids"]) == {lesson.pk for lesson in lessons}

        # Once they pass (today's assessments selector has nothing outstanding), it completes.
        assert course_completion_evaluate(enrolment=enrolment) is not None

    def test_activities_are_not_asked_about_when_the_course_does_not_require_them(self, trainee):
        course = create_course(require_assessments=False)
        enrolment_create(user=trainee, course=course)
        with mock.patch(
            "imh_courses.services.learning.required_activities_outstanding", return_value={1}
        ) as outstanding:
            complete_all(trainee, course)
        outstanding.assert_not_called()
        assert CourseCompletion.objects.filter(user=trainee).exists()

    def test_evaluating_again_is_idempotent(
        self, trainee, course, completions_sent, django_capture_on_commit_callbacks
    ):
        enrolment = enrolment_create(user=trainee, course=course)
        with django_capture_on_commit_callbacks(execute=True):
            complete_all(trainee, course)
            first = course_completion_evaluate(enrolment=enrolment)
            second = course_completion_evaluate(enrolment=enrolment)
        assert first == second
        assert CourseCompletion.objects.count() == 1
        assert len(completions_sent) == 1

    def test_two_calls_with_the_same_stale_enrolment_make_one_completion(self, trainee, course):
        enrolment = enrolment_create(user=trainee, course=course)
        stale = Enrolment.objects.get(pk=enrolment.pk)
        other_stale = Enrolment.objects.get(pk=enrolment.pk)
        for lesson in lessons_of(course):
            LessonProgress.objects.create(
                enrolment=enrolment, lesson=lesson, completed_at=enrolment.enrolled_at
            )
        first = course_completion_evaluate(enrolment=stale)
        second = course_completion_evaluate(enrolment=other_stale)
        assert first is not None
        assert first == second
        assert other_stale.status == Enrolment.Status.COMPLETED
        assert CourseCompletion.objects.count() == 1

    def test_a_completion_made_meanwhile_is_returned(self, trainee, course):
        """The one-to-one constraint catches a completion that slipped past the lock."""
        enrolment = enrolment_create(user=trainee, course=course)
        for lesson in lessons_of(course):
            LessonProgress.objects.create(
                enrolment=enrolment, lesson=lesson, completed_at=enrolment.enrolled_at
            )
        made = {}
        original = CourseCompletion.full_clean

        def other_request_completes(instance, *args, **kwargs):
            original(instance, *args, **kwargs)
            made["completion"] = CourseCompletion.objects.create(
                enrolment=instance.enrolment,
                user=instance.user,
                course=instance.course,
                completed_at=instance.completed_at,
                course_title=instance.course_title,
                cpd_hours=instance.cpd_hours,
                imh_level=instance.imh_level,
            )

        with mock.patch.object(CourseCompletion, "full_clean", other_request_completes):
            completion = course_completion_evaluate(enrolment=enrolment)
        assert completion == made["completion"]
        assert CourseCompletion.objects.count() == 1

    def test_withdrawn_enrolments_do_not_complete(self, trainee, course):
        enrolment = enrolment_create(user=trainee, course=course)
        for lesson in lessons_of(course):
            LessonProgress.objects.create(
                enrolment=enrolment, lesson=lesson, completed_at=enrolment.enrolled_at
            )
        Enrolment.objects.filter(pk=enrolment.pk).update(status=Enrolment.Status.WITHDRAWN)
        assert course_completion_evaluate(enrolment=enrolment) is None
        assert not CourseCompletion.objects.exists()

    def test_the_snapshot_does_not_follow_later_edits(self, trainee, course):
        enrolment_create(user=trainee, course=course)
        complete_all(trainee, course)
        course.title = "Renamed"
        course.cpd_hours = Decimal("9.0")
        course.save()
        completion = CourseCompletion.objects.get()
        assert completion.course_title == "Foundations"
        assert completion.cpd_hours == Decimal("3.0")

    def test_completion_is_announced_only_after_commit(self, trainee, course, completions_sent):
        enrolment_create(user=trainee, course=course)
        complete_all(trainee, course)
        # The test's transaction never commits, so nothing has been announced.
        assert completions_sent == []


class TestPathways:
    def test_pathway_completed_when_all_its_courses_are(self, trainee):
        first = create_course(title="First", slug="first")
        second = create_course(title="Second", slug="second")
        pathway = Pathway.objects.create(title="Health visitor pathway", slug="hv")
        PathwayCourse.objects.create(pathway=pathway, course=first, sort_order=0)
        PathwayCourse.objects.create(pathway=pathway, course=second, sort_order=1)
        inactive = Pathway.objects.create(title="Old pathway", slug="old", is_active=False)
        PathwayCourse.objects.create(pathway=inactive, course=first)

        enrolment_create(user=trainee, course=first)
        complete_all(trainee, first)
        assert not PathwayCompletion.objects.exists()

        enrolment_create(user=trainee, course=second)
        complete_all(trainee, second)
        recorded = PathwayCompletion.objects.get()
        assert recorded.pathway == pathway
        assert recorded.user == trainee

    def test_recorded_once(self, trainee):
        course = create_course(certificate_validity_months=12)
        pathway = Pathway.objects.create(title="Refresher pathway", slug="refresher")
        PathwayCourse.objects.create(pathway=pathway, course=course)
        enrolment_create(user=trainee, course=course)
        complete_all(trainee, course)
        with time_machine.travel(datetime.timedelta(days=370)):
            enrolment_create(user=trainee, course=course)
            complete_all(trainee, course)
        assert PathwayCompletion.objects.filter(user=trainee, pathway=pathway).count() == 1


class TestRenewal:
    @time_machine.travel(datetime.datetime(2025, 1, 31, 12, tzinfo=datetime.UTC), tick=False)
    def test_expiry_is_counted_in_calendar_months(self, trainee):
        course = create_course(certificate_validity_months=13)
        enrolment_create(user=trainee, course=course)
        complete_all(trainee, course)
        assert CourseCompletion.objects.get().expires_on == datetime.date(2026, 2, 28)

    def test_a_course_with_expiring_certificates_can_be_taken_again(self, trainee):
        course = create_course(certificate_validity_months=12)
        first = enrolment_create(user=trainee, course=course)
        complete_all(trainee, course)
        earlier = CourseCompletion.objects.get()

        # Taken again once the renewal is due (60 days before the certificate expires).
        with time_machine.travel(datetime.timedelta(days=320)):
            renewal = enrolment_create(user=trainee, course=course)
            assert renewal.pk != first.pk
            assert renewal.cycle == 2
            assert renewal.status == Enrolment.Status.ACTIVE
            # Progress starts again: the first cycle's lessons count only for the first cycle.
            assert not renewal.progress.exists()

            complete_all(trainee, course)
        assert set(CourseCompletion.objects.filter(user=trainee)) == {
            earlier,
            CourseCompletion.objects.get(enrolment=renewal),
        }
        first.refresh_from_db()
        assert first.status == Enrolment.Status.COMPLETED

    def test_a_course_without_expiry_cannot_be_taken_again(self, trainee, manager, course):
        enrolment_create(user=trainee, course=course)
        complete_all(trainee, course)
        with pytest.raises(ValidationError) as caught:
            enrolment_create(user=trainee, course=course)
        assert error_codes(caught.value) == {"already_completed"}
        assert "You have already completed “Foundations”" in caught.value.messages[0]
        with pytest.raises(ValidationError) as caught:
            enrolment_create(user=trainee, course=course, assigned_by=manager)
        assert caught.value.messages[0].startswith("Sam Midwife has already completed")
        assert Enrolment.objects.count() == 1

    def test_after_withdrawing_one_can_enrol_again(self, trainee, course):
        first = enrolment_create(user=trainee, course=course)
        Enrolment.objects.filter(pk=first.pk).update(status=Enrolment.Status.WITHDRAWN)
        again = enrolment_create(user=trainee, course=course)
        assert again.cycle == 2


class TestLessonComplete:
    def test_not_enrolled_is_refused_and_nothing_changes(self, trainee, course):
        lesson = lessons_of(course)[0]
        with pytest.raises(ValidationError) as caught:
            lesson_complete(user=trainee, lesson=lesson)
        assert error_codes(caught.value) == {"not_enrolled"}
        assert caught.value.messages == [
            "Enrol on “Foundations” before marking its lessons as complete."
        ]
        assert not LessonProgress.objects.exists()
        assert not Enrolment.objects.exists()

    def test_enrolment_on_another_course_does_not_help(self, trainee, course):
        other = create_course(slug="other")
        enrolment = enrolment_create(user=trainee, course=other)
        with pytest.raises(ValidationError):
            lesson_complete(user=trainee, lesson=lessons_of(course)[0])
        enrolment.refresh_from_db()
        assert enrolment.last_lesson is None
        assert not LessonProgress.objects.exists()

    def test_records_progress_and_where_the_trainee_is(self, trainee, course):
        enrolment = enrolment_create(user=trainee, course=course)
        lesson = lessons_of(course)[1]
        progress = lesson_complete(user=trainee, lesson=lesson)
        assert progress.enrolment == enrolment
        assert progress.lesson_id == lesson.pk
        assert progress.method == LessonProgress.Method.MANUAL
        enrolment.refresh_from_db()
        assert enrolment.last_lesson_id == lesson.pk
        assert enrolment.last_activity_at is not None

    def test_completing_twice_keeps_one_record(self, trainee, course):
        enrolment_create(user=trainee, course=course)
        lesson = lessons_of(course)[0]
        first = lesson_complete(user=trainee, lesson=lesson)
        second = lesson_complete(user=trainee, lesson=lesson, method="activities")
        assert first.pk == second.pk
        assert second.method == LessonProgress.Method.MANUAL
        assert LessonProgress.objects.count() == 1

    def test_a_double_click_on_the_last_lesson_is_harmless(self, trainee, course):
        enrolment_create(user=trainee, course=course)
        last = complete_all(trainee, course)
        again = lesson_complete(user=trainee, lesson=lessons_of(course)[-1])
        assert again.pk == last.pk
        assert CourseCompletion.objects.count() == 1

    def test_after_completing_the_course_other_lessons_need_no_marking(self, trainee, course):
        lessons = lessons_of(course)
        optional = lessons[0]
        optional.required = False
        optional.save()
        enrolment_create(user=trainee, course=course)
        for lesson in lessons[1:]:
            lesson_complete(user=trainee, lesson=lesson)
        with pytest.raises(ValidationError) as caught:
            lesson_complete(user=trainee, lesson=optional)
        assert error_codes(caught.value) == {"course_completed"}

    def test_unpublished_lessons_cannot_be_completed(self, trainee, course):
        enrolment_create(user=trainee, course=course)
        lesson = lessons_of(course)[0]
        lesson.unpublish()
        with pytest.raises(ValidationError) as caught:
            lesson_complete(user=trainee, lesson=lesson)
        assert error_codes(caught.value) == {"lesson_unavailable"}

    def test_unknown_methods_are_a_programming_error(self, trainee, course):
        with pytest.raises(ValueError, match="Unknown completion method"):
            lesson_complete(user=trainee, lesson=lessons_of(course)[0], method="guess")


class TestLessonVisit:
    def test_one_update_remembers_the_lesson(self, trainee, course, django_assert_num_queries):
        enrolment = enrolment_create(user=trainee, course=course)
        lesson = lessons_of(course)[2]
        with django_assert_num_queries(1):
            assert lesson_visit(user=trainee, lesson=lesson) == 1
        enrolment.refresh_from_db()
        assert enrolment.last_lesson_id == lesson.pk

    def test_nothing_for_people_not_enrolled(self, trainee, course):
        other = enrolment_create(user=trainee, course=create_course(slug="other"))
        assert lesson_visit(user=trainee, lesson=lessons_of(course)[0]) == 0
        other.refresh_from_db()
        assert other.last_lesson is None


class TestReflectionSave:
    @pytest.fixture
    def lesson(self, course):
        lesson = lessons_of(course)[0]
        add_reflection_prompt(lesson, block_id="reflect-1", prompt="What did you notice?")
        return lesson

    def test_saves_the_answer_with_the_prompt(self, trainee, course, lesson):
        enrolment_create(user=trainee, course=course)
        reflection = reflection_save(
            user=trainee, lesson=lesson, block_id="reflect-1", text="  The baby turned away.  "
        )
        assert reflection.user == trainee
        assert reflection.text == "The baby turned away."
        assert reflection.prompt == "What did you notice?"

    def test_saving_again_edits_the_same_answer(self, trainee, course, lesson):
        enrolment_create(user=trainee, course=course)
        first = reflection_save(user=trainee, lesson=lesson, block_id="reflect-1", text="One")
        second = reflection_save(user=trainee, lesson=lesson, block_id="reflect-1", text="Two")
        assert first.pk == second.pk
        assert Reflection.objects.get().text == "Two"

    def test_another_trainees_reflection_cannot_be_touched(self, trainee, course, lesson):
        other = UserFactory()
        enrolment_create(user=trainee, course=course)
        enrolment_create(user=other, course=course)
        theirs = reflection_save(user=other, lesson=lesson, block_id="reflect-1", text="Mine")

        mine = reflection_save(user=trainee, lesson=lesson, block_id="reflect-1", text="Hers?")

        assert mine.pk != theirs.pk
        theirs.refresh_from_db()
        assert theirs.text == "Mine"
        assert theirs.user == other

    def test_a_block_that_is_not_a_reflection_prompt_is_refused(self, trainee, course, lesson):
        enrolment_create(user=trainee, course=course)
        text_block_id = lesson.body[0].id
        for block_id in ("no-such-block", text_block_id):
            with pytest.raises(ValidationError) as caught:
                reflection_save(user=trainee, lesson=lesson, block_id=block_id, text="Hello")
            assert error_codes(caught.value) == {"unknown_prompt"}
        assert not Reflection.objects.exists()

    def test_not_enrolled_is_refused(self, trainee, lesson):
        with pytest.raises(ValidationError) as caught:
            reflection_save(user=trainee, lesson=lesson, block_id="reflect-1", text="Hello")
        assert error_codes(caught.value) == {"not_enrolled"}
        assert not Reflection.objects.exists()

    def test_allowed_after_completing_the_course(self, trainee, course, lesson):
        enrolment_create(user=trainee, course=course)
        complete_all(trainee, course)
        assert reflection_save(user=trainee, lesson=lesson, block_id="reflect-1", text="Later")

    def test_length_limit(self, trainee, course, lesson):
        enrolment_create(user=trainee, course=course)
        with pytest.raises(ValidationError) as caught:
            reflection_save(user=trainee, lesson=lesson, block_id="reflect-1", text="x" * 10_001)
        assert caught.value.message_dict == {
            "text": ["Your reflection must be 10,000 characters or fewer. It is 10,001 characters."]
        }
        # Line breaks count once, as the browser counted them.
        text = ("a" * 99 + "\r\n") * 100
        assert len(text) > 10_000
        saved = reflection_save(user=trainee, lesson=lesson, block_id="reflect-1", text=text)
        assert len(saved.text) == 9_999

    def test_empty_answers_are_refused(self, trainee, course, lesson):
        enrolment_create(user=trainee, course=course)
        with pytest.raises(ValidationError) as caught:
            reflection_save(user=trainee, lesson=lesson, block_id="reflect-1", text="   ")
        assert error_codes(caught.value) == {"empty"}
