"""Activity placements follow published pages; outstanding required activities per lesson."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail import blocks

from imh_assessments.blocks.quiz import QuizBlock
from imh_assessments.models import ActivityPlacement, H5PActivity
from imh_assessments.models.xapi import ActivityResult
from imh_assessments.selectors import required_activities_outstanding
from imh_assessments.services import quizzes as quiz_services
from imh_assessments.services.placements import _activities_in, placements_sync
from tests.assessments.factories_quizzes import (
    attempt_policy,
    correct_answers,
    quiz_of,
    single_choice,
)
from tests.courses.factories import create_course, lessons_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def h5p_activity(title: str = "Reading a baby's cues") -> H5PActivity:
    return H5PActivity.objects.create(title=title, package="h5p/packages/cues.h5p")


def place(lesson, *activities, publish: bool = True):
    """Give ``lesson`` a body of text and these (block type, value) activities."""
    lesson.body = [("text", "<p>Read this first.</p>"), *activities]
    revision = lesson.save_revision()
    if publish:
        revision.publish()
    lesson.refresh_from_db()
    return lesson


def quiz_block(quiz, required: bool = True):
    return ("quiz", {"quiz": quiz, "required": required})


def h5p_block(activity, required: bool = True):
    return ("h5p", {"activity": activity, "required": required})


def placements_of(page) -> set[tuple[str, int, bool]]:
    return set(
        ActivityPlacement.objects.filter(page_id=page.pk).values_list(
            "activity_type", "activity_id", "required"
        )
    )


def pass_quiz(user, quiz, page):
    with attempt_policy():
        attempt = quiz_services.quiz_attempt_start(user=user, quiz=quiz, page_id=page.pk)
        quiz_services.quiz_attempt_submit(
            user=user, token=attempt.token, answers=correct_answers(attempt)
        )


def pass_h5p(user, activity):
    now = timezone.now()
    ActivityResult.objects.create(
        user=user,
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


@pytest.fixture
def course():
    return create_course(modules=1, lessons_per_module=3)


@pytest.fixture
def lesson(course):
    return lessons_of(course)[0]


class TestSync:
    def test_publishing_records_each_activity_with_its_required_flag(self, lesson):
        quiz, activity = quiz_of(single_choice()), h5p_activity()
        place(lesson, quiz_block(quiz), h5p_block(activity, required=False))
        assert placements_of(lesson) == {("quiz", quiz.pk, True), ("h5p", activity.pk, False)}

    def test_republishing_replaces_the_old_placements(self, lesson):
        quiz, other, activity = quiz_of(single_choice()), quiz_of(single_choice()), h5p_activity()
        place(lesson, quiz_block(quiz), h5p_block(activity))
        place(lesson, quiz_block(other, required=False), h5p_block(activity))
        assert placements_of(lesson) == {("quiz", other.pk, False), ("h5p", activity.pk, True)}

    def test_a_draft_changes_nothing_until_it_is_published(self, lesson):
        quiz = quiz_of(single_choice())
        place(lesson, quiz_block(quiz))
        place(lesson, publish=False)
        assert placements_of(lesson) == {("quiz", quiz.pk, True)}

    def test_the_same_activity_twice_is_required_if_either_says_so(self, lesson):
        quiz = quiz_of(single_choice())
        place(lesson, quiz_block(quiz, required=False), quiz_block(quiz, required=True))
        assert placements_of(lesson) == {("quiz", quiz.pk, True)}

    def test_an_empty_chooser_is_skipped(self, lesson):
        place(lesson, quiz_block(None))
        assert placements_of(lesson) == set()

    def test_unpublishing_removes_them(self, lesson):
        place(lesson, quiz_block(quiz_of(single_choice())))
        lesson.unpublish()
        assert placements_of(lesson) == set()

    def test_deleting_the_page_removes_them(self, lesson):
        place(lesson, h5p_block(h5p_activity()))
        page_id = lesson.pk
        lesson.delete()
        assert not ActivityPlacement.objects.filter(page_id=page_id).exists()

    def test_a_page_that_is_not_live_gets_none(self, lesson):
        place(lesson, quiz_block(quiz_of(single_choice())))
        lesson.live = False
        placements_sync(page=lesson)
        assert placements_of(lesson) == set()

    def test_activities_nested_in_struct_list_and_stream_blocks_are_found(self):
        quiz, other = quiz_of(single_choice()), quiz_of(single_choice())
        block = blocks.StreamBlock(
            [
                (
                    "section",
                    blocks.StructBlock(
                        [
                            ("heading", blocks.CharBlock()),
                            ("items", blocks.ListBlock(QuizBlock())),
                            ("more", blocks.StreamBlock([("quiz", QuizBlock())])),
                        ]
                    ),
                ),
            ]
        )
        value = block.normalize(
            [
                (
                    "section",
                    {
                        "heading": "Check",
                        "items": [{"quiz": quiz, "required": False}],
                        "more": [("quiz", {"quiz": other, "required": True})],
                    },
                )
            ]
        )
        assert list(_activities_in(block, value)) == [
            ("quiz", quiz.pk, False),
            ("quiz", other.pk, True),
        ]

    def test_the_command_resyncs_every_live_page(self, course):
        first, second, third = lessons_of(course)
        quiz, activity = quiz_of(single_choice()), h5p_activity()
        place(first, quiz_block(quiz))
        place(second, h5p_block(activity))
        ActivityPlacement.objects.all().delete()
        # A stale row on a page that is no longer live goes too.
        third.unpublish()
        ActivityPlacement.objects.create(page=third, activity_type="quiz", activity_id=quiz.pk)
        out = io.StringIO()
        call_command("assessments_sync_placements", stdout=out)
        assert "Placements synced" in out.getvalue()
        assert placements_of(first) == {("quiz", quiz.pk, True)}
        assert placements_of(second) == {("h5p", activity.pk, True)}
        assert placements_of(third) == set()

    def test_the_database_refuses_an_unknown_activity_type(self, lesson):
        from django.db import IntegrityError, transaction

        with pytest.raises(IntegrityError), transaction.atomic():
            ActivityPlacement.objects.create(page=lesson, activity_type="video", activity_id=1)


class TestOutstanding:
    @pytest.fixture
    def setup(self, course):
        first, second, third = lessons_of(course)
        quiz, optional_quiz, activity = (
            quiz_of(single_choice()),
            quiz_of(single_choice()),
            h5p_activity(),
        )
        place(first, quiz_block(quiz))
        place(second, h5p_block(activity), quiz_block(optional_quiz, required=False))
        return {
            "lessons": [first, second, third],
            "quiz": quiz,
            "optional_quiz": optional_quiz,
            "activity": activity,
        }

    def test_nothing_passed_leaves_each_lesson_with_a_required_activity(self, setup):
        first, second, third = setup["lessons"]
        user = UserFactory()
        assert required_activities_outstanding(
            user=user, lesson_ids=[first.pk, second.pk, third.pk]
        ) == {first.pk, second.pk}

    def test_passed_quizzes_and_h5p_activities_are_no_longer_outstanding(self, setup):
        first, second, third = setup["lessons"]
        user = UserFactory()
        pass_quiz(user, setup["quiz"], first)
        ids = [first.pk, second.pk, third.pk]
        assert required_activities_outstanding(user=user, lesson_ids=ids) == {second.pk}
        pass_h5p(user, setup["activity"])
        # The optional quiz on the second lesson is never needed.
        assert required_activities_outstanding(user=user, lesson_ids=ids) == set()

    def test_someone_elses_pass_does_not_count(self, setup):
        first, _, _ = setup["lessons"]
        pass_quiz(UserFactory(), setup["quiz"], first)
        assert required_activities_outstanding(user=UserFactory(), lesson_ids=[first.pk]) == {
            first.pk
        }

    def test_only_the_lessons_asked_about_are_answered(self, setup):
        _, second, third = setup["lessons"]
        assert required_activities_outstanding(
            user=UserFactory(), lesson_ids=[second.pk, third.pk]
        ) == {second.pk}

    def test_no_lessons_no_queries(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert required_activities_outstanding(user=UserFactory.build(), lesson_ids=[]) == set()

    @pytest.mark.parametrize("lessons", [2, 8])
    def test_three_queries_whatever_the_number_of_lessons(self, lessons, django_assert_num_queries):
        course = create_course(title="Big", modules=2, lessons_per_module=lessons // 2)
        user = UserFactory()
        quiz, activity = quiz_of(single_choice()), h5p_activity()
        for index, lesson in enumerate(lessons_of(course)):
            place(lesson, quiz_block(quiz) if index % 2 else h5p_block(activity))
        ids = [lesson.pk for lesson in lessons_of(course)]
        with django_assert_num_queries(3):
            outstanding = required_activities_outstanding(user=user, lesson_ids=ids)
        assert outstanding == set(ids)
