"""Wagtail admin for quizzes: the question bank and quizzes (snippets), and the marking queue.

Educators get their rights from Django model permissions (the data migration grants the
"Educators" group add/change/delete/view on questions and quizzes, view on attempts and
"Can mark quiz answers"), so a host site can grant them to any group.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.auth import permission_denied
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import DeleteView, SnippetViewSet

from imh_accounts.permissions import ReadOnlyPermissionPolicy
from imh_assessments.forms.quizzes import MarkAnswerForm, QuestionForm
from imh_assessments.models import Question, Quiz, QuizAnswer, QuizAttempt
from imh_assessments.selectors import quizzes as selectors
from imh_assessments.services import quizzes as services
from imh_core.forms import add_service_errors
from imh_core.hooks import IMH_LEARNING_MENU_ITEMS
from imh_core.people import person_name_with_email, select_people
from imh_core.views import SpreadsheetSafeIndexView

# Before any viewset asks for the attempts' policy (Wagtail would otherwise make a fallback).
register_permission_policy(QuizAttempt, ReadOnlyPermissionPolicy(QuizAttempt))


class _KeepRecordsDeleteView(DeleteView):
    """Refuses to delete what trainees' attempts refer to (their records must stay whole)."""

    in_use_message = ""

    def in_use(self) -> bool:
        raise NotImplementedError

    def _refuse(self):
        messages.error(self.request, self.in_use_message)
        return redirect(self.get_success_url())

    def get(self, request, *args, **kwargs):
        return self._refuse() if self.in_use() else super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._refuse() if self.in_use() else super().post(request, *args, **kwargs)


class QuestionDeleteView(_KeepRecordsDeleteView):
    in_use_message = _(
        "This question cannot be deleted: it is in a quiz or trainees have answered it. "
        "Remove it from its quizzes instead; answered questions stay in the bank."
    )

    def in_use(self) -> bool:
        return self.object.quiz_uses.exists() or self.object.answers.exists()


class QuizDeleteView(_KeepRecordsDeleteView):
    in_use_message = _("This quiz cannot be deleted: trainees have attempted it.")

    def in_use(self) -> bool:
        return self.object.attempts.exists()


class QuestionViewSet(SnippetViewSet):
    """The question bank."""

    model = Question
    icon = "help"
    menu_label = _("Question bank")
    delete_view_class = QuestionDeleteView
    list_display = ["__str__", "kind", "category", "points", "updated_at"]
    list_filter = ["kind", "category"]
    search_fields = ["text", "category"]
    search_backend_name = None
    ordering = ["category", "pk"]
    copy_view_enabled = True
    edit_handler = ObjectList(
        [
            MultiFieldPanel(
                [
                    FieldPanel("kind"),
                    FieldPanel("text"),
                    FieldRowPanel([FieldPanel("points"), FieldPanel("category")]),
                ],
                heading=_("Question"),
            ),
            FieldPanel("true_false_answer"),
            InlinePanel(
                "options",
                heading=_("Options"),
                label=_("Option"),
                help_text=_(
                    "Choice questions: give at least two options and tick the correct "
                    "one (single choice) or ones (multiple response). Free-text questions "
                    "have none."
                ),
            ),
            FieldPanel("general_feedback"),
            MultiFieldPanel(
                [FieldPanel("model_answer"), FieldPanel("marking_guidance")],
                heading=_("Free-text questions: for markers"),
            ),
            InlinePanel(
                "competency_mappings",
                heading=_("Competencies"),
                label=_("Competency"),
                help_text=_("Passing a quiz with this question counts as evidence for these."),
            ),
        ],
        base_form_class=QuestionForm,
    )


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    delete_view_class = QuizDeleteView
    list_display = ["title", "pass_mark", "attempts_allowed", "time_limit_minutes", "updated_at"]
    search_fields = ["title"]
    search_backend_name = None
    panels = [
        FieldPanel("title"),
        FieldPanel("introduction"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("attempts_allowed")]),
                FieldPanel("time_limit_minutes"),
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]),
            ],
            heading=_("Rules"),
        ),
        InlinePanel("quiz_questions", heading=_("Questions"), label=_("Question"), min_num=1),
    ]


class _MarkerRequiredMixin:
    def dispatch(self, request, *args, **kwargs):
        if not services.user_may_mark(request.user):
            return permission_denied(request)
        return super().dispatch(request, *args, **kwargs)


class MarkingQueueView(_MarkerRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """Free-text answers awaiting marking, oldest submission first."""

    page_title = _("Marking queue")
    header_icon = "edit"
    template_name = "imh_assessments/quizzes/admin/marking_queue.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["answers"] = list(selectors.marking_queue()[:200])
        return context


class MarkAnswerView(_MarkerRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = _("Mark an answer")
    header_icon = "edit"
    template_name = "imh_assessments/quizzes/admin/mark_answer.html"

    @cached_property
    def answer(self) -> QuizAnswer:
        return get_object_or_404(
            selectors.marking_queue().select_related("attempt__page"), pk=self.kwargs["pk"]
        )

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("quiz_marking:index"), "label": _("Marking queue")},
            {"url": "", "label": self.page_title},
        ]

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context["answer"] = self.answer
        context["form"] = form or MarkAnswerForm(max_points=self.answer.max_points)
        return context

    def get(self, request, *args, **kwargs):
        if not selectors.marking_queue().filter(pk=kwargs["pk"]).exists():
            messages.info(request, _("That answer has already been marked."))
            return redirect("quiz_marking:index")
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        answer = QuizAnswer.objects.filter(pk=kwargs["pk"]).first()
        if answer is None or answer.awarded_points is not None:
            messages.info(request, _("That answer has already been marked."))
            return redirect("quiz_marking:index")
        form = MarkAnswerForm(request.POST, max_points=answer.max_points)
        if form.is_valid():
            try:
                services.quiz_answer_mark(
                    answer=answer,
                    marker=request.user,
                    points=form.cleaned_data["points"],
                    feedback=form.cleaned_data["feedback"],
                )
            except PermissionDenied as error:
                messages.error(request, str(error))
                return redirect("quiz_marking:index")
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    add_service_errors(form, error)
                else:
                    messages.error(request, " ".join(error.messages))
                    return redirect("quiz_marking:index")
            else:
                messages.success(request, _("Answer marked."))
                return redirect("quiz_marking:index")
        return self.render_to_response(self.get_context_data(form=form))


class MarkingQueueViewSet(ViewSet):
    name = "quiz_marking"
    url_prefix = "quiz-marking"
    icon = "edit"
    menu_label = _("Marking queue")

    @cached_property
    def menu_item_class(self):
        class MarkingMenuItem(MenuItem):
            def is_shown(self, request):
                return services.user_may_mark(request.user)

        return MarkingMenuItem

    def get_urlpatterns(self):
        return [
            path("", MarkingQueueView.as_view(), name="index"),
            path("<int:pk>/", MarkAnswerView.as_view(), name="mark"),
        ]


def _person(attempt: QuizAttempt) -> str:
    return person_name_with_email(attempt.user)


def _result_url(attempt: QuizAttempt) -> str | None:
    """The trainee's result page (educators may read it) once there is a result to see."""
    if attempt.status == QuizAttempt.Status.IN_PROGRESS:
        return None
    return reverse("imh_assessments:quiz_result", args=[attempt.token])


def _percent(attempt: QuizAttempt) -> str:
    return "-" if attempt.percent is None else f"{services.percent_text(attempt.percent)}%"


class QuizAttemptIndexView(SpreadsheetSafeIndexView):
    def get_base_queryset(self):
        return select_people(super().get_base_queryset().select_related("quiz"), "user")


class QuizAttemptViewSet(ModelViewSet):
    """Trainees' attempts, read-only: results change only by marking."""

    model = QuizAttempt
    name = "quiz_attempts"
    icon = "list-ul"
    menu_label = _("Quiz attempts")
    index_view_class = QuizAttemptIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = [
        TitleColumn(
            "person",
            label=_("Trainee"),
            accessor=_person,
            get_url=_result_url,
            get_title_id=lambda attempt: f"quiz-attempt-{attempt.pk}",
        ),
        "quiz",
        "number",
        "status",
        Column("percent", label=_("Score"), accessor=_percent),
        "passed",
        "submitted_at",
    ]
    list_filter = ["quiz", "status", "passed"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "quiz__title"]
    search_backend_name = None
    ordering = ["-started_at"]
    list_export = [
        "user.email",
        "quiz.title",
        "number",
        "get_status_display",
        "score",
        "max_score",
        "percent",
        "passed",
        "started_at",
        "submitted_at",
    ]
    export_headings = {
        "user.email": "Email",
        "quiz.title": "Quiz",
        "number": "Attempt",
        "get_status_display": "Status",
        "score": "Score",
        "max_score": "Out of",
        "percent": "Percent",
        "passed": "Passed",
        "started_at": "Started",
        "submitted_at": "Submitted",
    }
    export_filename = "quiz-attempts"
    inspect_view_fields = [
        "user",
        "quiz",
        "number",
        "status",
        "started_at",
        "deadline",
        "submitted_at",
        "score",
        "max_score",
        "percent",
        "passed",
        "page",
    ]
    form_fields = ["number"]  # never used: the read-only policy refuses add and change

    def get_permissions_to_register(self):
        view = get_permission_codename("view", self.model_opts)
        return super().get_permissions_to_register().filter(codename=view)


class QuizzesViewSetGroup(ViewSetGroup):
    menu_label = _("Assessments")
    menu_icon = "tasks"
    menu_order = 230
    menu_hook = IMH_LEARNING_MENU_ITEMS
    items = (QuizViewSet, QuestionViewSet, MarkingQueueViewSet, QuizAttemptViewSet)


@hooks.register("register_admin_viewset")
def register_quiz_viewsets():
    return QuizzesViewSetGroup()
