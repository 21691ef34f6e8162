"""The quiz block for lesson bodies: a card that starts (or resumes) an attempt."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.snippets.blocks import SnippetChooserBlock


class QuizBlock(blocks.StructBlock):
    """A quiz from the bank, placed in a lesson. Required quizzes must be passed to finish."""

    quiz = SnippetChooserBlock("imh_assessments.Quiz")
    required = blocks.BooleanBlock(
        required=False,
        default=True,
        help_text=_("Trainees must pass this quiz to complete the lesson."),
    )

    activity_type = "quiz"

    class Meta:
        icon = "tasks"
        label = _("Quiz")
        template = "imh_assessments/blocks/quiz.html"
        description = _("A quiz from the question bank, marked on submission")
        preview_value = {"quiz": None, "required": True}

    def get_preview_value(self):
        from imh_assessments.models import Quiz

        return self.normalize({"quiz": Quiz.objects.order_by("pk").first(), "required": True})

    def activity_id(self, value) -> int | None:
        quiz = value.get("quiz") if value else None
        return quiz.pk if quiz is not None else None

    def get_context(self, value, parent_context: dict[str, Any] | None = None):
        from imh_assessments.selectors.quizzes import quiz_standing

        context = super().get_context(value, parent_context=parent_context)
        quiz = value.get("quiz")
        request = context.get("request")
        user = getattr(request, "user", None)
        context["quiz"] = quiz
        context["standing"] = (
            quiz_standing(user=user, quiz=quiz) if quiz is not None and user is not None else None
        )
        if quiz is not None and context["standing"] is not None:
            context["attempts_left"] = context["standing"].attempts_left(quiz)
            context["can_start"] = context["standing"].can_start(quiz)
        return context
