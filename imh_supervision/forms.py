"""Forms for recording sessions, answering them and pairing people."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from imh_competencies.models import Competency
from imh_core.people import person_name
from imh_supervision.models import (
    DURATION_MAX_MINUTES,
    DURATION_MIN_MINUTES,
    SupervisionSession,
    Theme,
)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_name(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return person_name(obj)


class CompetencyChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Competency) -> str:
        return f"{obj.code} {obj.short_name} ({obj.framework.name})"


def _competencies() -> Any:
    return Competency.objects.select_related("framework").order_by(
        "framework__name", "sort_order", "code"
    )


class SessionDetailsForm(forms.Form):
    """What happened: the fields both recording and changing a session share."""

    held_on = forms.DateField(
        label=_("Date of the session"),
        help_text=_("For example, 27 3 2025 or 2025-03-27."),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the date of the session."),
            "invalid": _("Enter a real date."),
        },
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration in minutes"),
        help_text=_("Between 15 and 480 minutes."),
        min_value=DURATION_MIN_MINUTES,
        max_value=DURATION_MAX_MINUTES,
        error_messages={
            "required": _("Enter how long the session lasted, in minutes."),
            "invalid": _("Enter the duration as a whole number of minutes."),
            "min_value": _("Enter a duration between 15 minutes and 8 hours (480 minutes)."),
            "max_value": _("Enter a duration between 15 minutes and 8 hours (480 minutes)."),
        },
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=Theme.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose any that apply."),
    )
    themes_other = forms.CharField(
        label=_("Other themes (optional)"), max_length=200, required=False
    )
    competencies = CompetencyChoiceField(
        label=_("Competencies the session supported"),
        queryset=Competency.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("When everyone confirms the session, it counts as evidence for these."),
    )
    notes = forms.CharField(
        label=_("Reflective notes (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Only the supervisor and the supervisees in this session can read these. "
            "Managers never see them."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competencies"].queryset = _competencies()

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "held_on": data["held_on"],
            "duration_minutes": data["duration_minutes"],
            "themes": list(data["themes"]),
            "themes_other": data["themes_other"],
            "competencies": list(data["competencies"]),
            "notes": data["notes"],
        }

    @classmethod
    def initial_for(cls, session: SupervisionSession) -> dict[str, Any]:
        return {
            "held_on": session.held_on,
            "duration_minutes": session.duration_minutes,
            "themes": session.themes,
            "themes_other": session.themes_other,
            "competencies": list(session.competencies.all()),
            "notes": session.notes,
        }


class SupervisorSessionForm(SessionDetailsForm):
    """A supervisor records a session with one or more of their supervisees."""

    kind = forms.ChoiceField(
        label=_("Kind of session"),
        choices=SupervisionSession.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one-to-one or group.")},
    )
    supervisees = PeopleChoiceField(
        label=_("Supervisees"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One for a one-to-one session, 2 or more for a group."),
        error_messages={"required": _("Choose who was supervised.")},
    )

    field_order = ["kind", "supervisees"]

    def __init__(self, *args: Any, supervisees: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisees"].queryset = supervisees
        self.order_fields(self.field_order)


class SuperviseeSessionForm(SessionDetailsForm):
    """A supervisee records a one-to-one session with one of their supervisors."""

    supervisor = PersonChoiceField(
        label=_("Supervisor"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose your supervisor.")},
    )

    field_order = ["supervisor"]

    def __init__(self, *args: Any, supervisors: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors
        self.order_fields(self.field_order)


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this record?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("The other people in the session will see this, managers will not."),
        error_messages={"required": _("Enter what is wrong with this record.")},
    )


class ReflectionForm(forms.Form):
    reflection = forms.CharField(
        label=_("My reflection (optional)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=10000,
        help_text=_("Only the people in this session can read it."),
    )


class PairForm(forms.Form):
    """A manager pairs a named supervisor with a member of their organisation."""

    supervisor = PersonChoiceField(
        label=_("Supervisor"),
        queryset=None,
        help_text=_("Only members named as supervisors are listed."),
        error_messages={"required": _("Choose a supervisor.")},
    )
    supervisee = PersonChoiceField(
        label=_("Supervisee"),
        queryset=None,
        error_messages={"required": _("Choose a supervisee.")},
    )
    starts_on = forms.DateField(
        label=_("Start date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the start date."),
            "invalid": _("Enter a real date."),
        },
    )

    def __init__(self, *args: Any, supervisors: Any, members: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors
        self.fields["supervisee"].queryset = members


class PeriodForm(forms.Form):
    since = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a real date.")},
    )
    until = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("Enter a real date.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the period must be on or after its start."))
        return data
