"""Admin forms for quizzes: the question editor's option rules, and marking an answer."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from imh_assessments.models import Question
from imh_assessments.services import quizzes as services


class QuestionForm(WagtailAdminModelForm):
    """Checks the options against the kind of question before anything is saved; true or
    false questions get their two options made on save."""

    def _options(self) -> list[tuple[str, bool]]:
        formset = self.formsets.get("options")
        if formset is None or not formset.is_valid():
            return []
        options = []
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data or data.get("DELETE") or not data.get("text"):
                continue
            options.append((data["text"], bool(data.get("is_correct"))))
        return options

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == Question.Kind.TRUE_FALSE:
            if cleaned.get("true_false_answer") is None:
                self.add_error(
                    "true_false_answer", _("Say whether the statement is true or false.")
                )
        elif kind:
            try:
                services.question_options_check(kind=kind, options=self._options())
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def save(self, commit=True):
        question = super().save(commit=commit)
        if commit:
            services.question_true_false_sync(question=question)
        return question


class MarkAnswerForm(forms.Form):
    points = forms.DecimalField(
        min_value=Decimal(0),
        decimal_places=2,
        label=_("Mark"),
        error_messages={"required": _("Enter a mark.")},
    )
    feedback = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        label=_("Feedback for the trainee"),
        help_text=_("Optional. The trainee sees it with their result."),
        max_length=5000,
    )

    def __init__(self, *args, max_points: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["points"].max_value = max_points
        self.fields["points"].validators.append(MaxValueValidator(max_points))
        self.fields["points"].help_text = _("From 0 to %(max)s.") % {"max": max_points}
