"""Forms for recognition applications: the applicant's page and the assessor's actions.

Forms parse what a person typed; the services decide and store. The application form has a
statement field per competency the scheme covers and an "include" box per evidence item, so
the whole page works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imh_recognition.models import Application, AreaOfPractice, Region
from imh_recognition.selectors import EvidenceSummary
from imh_recognition.services import MESSAGE_MAX_LENGTH, STATEMENT_MAX_LENGTH


def _blank_first(choices: Any) -> list[tuple[str, str]]:
    return [("", _("Choose one")), *choices]


def statement_field_name(competency_id: int) -> str:
    return f"statement_{competency_id}"


def include_field_name(item_id: int) -> str:
    return f"include_{item_id}"


class ApplicationForm(forms.Form):
    area_of_practice = forms.ChoiceField(
        label=_("Area of practice"), choices=_blank_first(AreaOfPractice.choices), required=False
    )
    region = forms.ChoiceField(
        label=_("Region you work in"), choices=_blank_first(Region.choices), required=False
    )
    statement = forms.CharField(
        label=_("Your statement"),
        help_text=_(
            "How your practice meets this level of the framework: the families you work with, "
            "what you do and how you have developed."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=STATEMENT_MAX_LENGTH,
        required=False,
    )
    public_consent_requested = forms.BooleanField(
        label=_("List me on the public register if my application is approved"),
        help_text=_(
            "The register shows your name, level, area of practice, region and the date your "
            "recognition is valid until. You can change this at any time."
        ),
        required=False,
    )

    def __init__(
        self, *args: Any, application: Application, evidence: EvidenceSummary, **kwargs: Any
    ) -> None:
        initial = {
            "area_of_practice": application.area_of_practice,
            "region": application.region,
            "statement": application.statement,
            "public_consent_requested": application.public_consent_requested,
        }
        self.competency_ids: list[int] = []
        self.item_ids: list[int] = []
        for area in evidence.areas:
            for entry in area.competencies:
                name = statement_field_name(entry.competency.pk)
                initial[name] = entry.statement
                self.competency_ids.append(entry.competency.pk)
                for item in entry.items:
                    initial[include_field_name(item.pk)] = item.included
                    self.item_ids.append(item.pk)
        for item in evidence.whole:
            initial[include_field_name(item.pk)] = item.included
            self.item_ids.append(item.pk)
        super().__init__(*args, initial=initial, **kwargs)
        for area in evidence.areas:
            for entry in area.competencies:
                self.fields[statement_field_name(entry.competency.pk)] = forms.CharField(
                    label=gettext("Your statement for %(code)s %(name)s (optional)")
                    % {"code": entry.competency.code, "name": entry.competency.short_name},
                    widget=forms.Textarea(attrs={"rows": 3}),
                    max_length=STATEMENT_MAX_LENGTH,
                    required=False,
                )
        for item_id in self.item_ids:
            self.fields[include_field_name(item_id)] = forms.BooleanField(
                label=_("Include"), required=False
            )

    def competency_statements(self) -> dict[int, str]:
        return {
            pk: self.cleaned_data.get(statement_field_name(pk), "") for pk in self.competency_ids
        }

    def excluded_item_ids(self) -> list[int]:
        return [
            pk for pk in self.item_ids if not self.cleaned_data.get(include_field_name(pk), False)
        ]


class RespondForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer to the assessor"),
        help_text=_("Say what you have added or changed, or answer their question."),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
    )


# The assessor's actions (in the Wagtail admin).


class RequestMoreForm(forms.Form):
    text = forms.CharField(
        label=_("What the applicant needs to add or explain"),
        help_text=_("The applicant is emailed this and sees it on their application."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MESSAGE_MAX_LENGTH,
    )


class ApproveForm(forms.Form):
    reason = forms.CharField(
        label=_("Comment for the applicant (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for declining"),
        help_text=_("The applicant is emailed this, so say what they could do next."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MESSAGE_MAX_LENGTH,
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        help_text=_("Only assessors see notes; the applicant never does."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MESSAGE_MAX_LENGTH,
    )


class QueueFilterForm(forms.Form):
    scheme = forms.ModelChoiceField(
        label=_("Scheme"), queryset=None, required=False, empty_label=_("All schemes")
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    region = forms.ChoiceField(
        label=_("Region"), choices=[("", _("All regions")), *Region.choices], required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from imh_recognition.models import Scheme

        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = Scheme.objects.select_related("framework")
        self.fields["status"].choices = [
            ("", _("All except drafts")),
            *[
                (value, label)
                for value, label in Application.Status.choices
                if value != Application.Status.DRAFT
            ],
        ]
