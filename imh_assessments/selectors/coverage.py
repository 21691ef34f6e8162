"""Which competencies the activities placed in a course develop, for the coverage matrix."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.text import Truncator

QUESTION_LABEL_WORDS = 12


@dataclass
class ActivityMappings:
    """One column of a coverage matrix: a quiz question or an H5P activity, and its mappings.

    ``levels`` maps competency ids to the level mapped.
    """

    key: str
    activity_type: str
    activity_id: int
    label: str
    levels: dict[int, int] = field(default_factory=dict)


def activity_competency_mappings(
    *, quiz_ids: Iterable[int], h5p_ids: Iterable[int]
) -> list[ActivityMappings]:
    """Each question of these quizzes, then each of these H5P activities, with their mappings.

    Quiz questions are labelled "Quiz title: question text (shortened)", in quiz order (as
    given) then question order; questions and activities without mappings are included, so
    the matrix shows content nothing is mapped to. At most four queries, whatever the numbers.
    """
    from imh_assessments.models import H5PActivity
    from imh_assessments.models.quizzes import QuizQuestion

    quiz_ids, h5p_ids = list(dict.fromkeys(quiz_ids)), list(dict.fromkeys(h5p_ids))
    columns: list[ActivityMappings] = []
    if quiz_ids:
        quiz_position = {quiz_id: index for index, quiz_id in enumerate(quiz_ids)}
        rows = list(
            QuizQuestion.objects.filter(quiz_id__in=quiz_ids)
            .select_related("quiz", "question")
            .prefetch_related("question__competency_mappings")
        )
        rows.sort(key=lambda row: quiz_position[row.quiz_id])  # stable: keeps question order
        for row in rows:
            question = row.question
            text = Truncator(_question_text(question)).words(QUESTION_LABEL_WORDS)
            columns.append(
                ActivityMappings(
                    key=f"quiz-{row.quiz_id}-question-{question.pk}",
                    activity_type="quiz",
                    activity_id=row.quiz_id,
                    label=f"{row.quiz}: {text}",
                    levels={
                        mapping.competency_id: mapping.level
                        for mapping in question.competency_mappings.all()
                    },
                )
            )
    if h5p_ids:
        position = {activity_id: index for index, activity_id in enumerate(h5p_ids)}
        activities = sorted(
            H5PActivity.objects.filter(pk__in=h5p_ids).prefetch_related("competency_mappings"),
            key=lambda activity: position[activity.pk],
        )
        for activity in activities:
            columns.append(
                ActivityMappings(
                    key=f"h5p-{activity.pk}",
                    activity_type="h5p",
                    activity_id=activity.pk,
                    label=activity.title,
                    levels={
                        mapping.competency_id: mapping.level
                        for mapping in activity.competency_mappings.all()
                    },
                )
            )
    return columns


def _question_text(question) -> str:
    """The question's wording as plain text, whatever the field is called."""
    from django.utils.html import strip_tags

    for name in ("text", "prompt", "stem", "body", "title"):
        value = getattr(question, name, None)
        if isinstance(value, str) and value.strip():
            return strip_tags(value).strip()
        if value is not None and hasattr(value, "source"):  # RichText
            return strip_tags(value.source).strip()
    return str(question)
