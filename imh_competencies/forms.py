"""Forms for observations of practice, self-assessment and external learning.

Forms parse and check what a person typed; the services decide and store. The competency
tables are built from the framework, one field per competency, so they work without
JavaScript.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from imh_competencies import selectors
from imh_competencies.models import (
    Area,
    Competency,
    ExternalLearning,
    ExternalProgramme,
    Framework,
    ObservationCompetency,
    SelfAssessment,
)
from imh_competencies.policies import trainees_observable_by, user_is_educator, user_may_observe
from imh_competencies.services import evidence_file_validate
from imh_core.formatting import hours_text
from imh_core.people import person_name


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"class": "nhsuk-input--width-10", **(attrs or {})}, format="%Y-%m-%d"
        )


def _level_choices(framework: Framework) -> list[tuple[int, str]]:
    return framework.level_choices


def _level_error(framework: Framework, competency: Competency | None = None) -> str:
    values = {
        "lowest": framework.level_label(1),
        "highest": framework.level_label(len(framework.levels)),
    }
    if competency is None:
        return gettext("Choose a level from %(lowest)s to %(highest)s.") % values
    return gettext("Choose a level from %(lowest)s to %(highest)s for %(competency)s.") % {
        **values,
        "competency": f"{competency.code} {competency.short_name}",
    }


# Observations of practice.


class ObservationStartForm(forms.Form):
    """Step 1: whose practice, and which framework to rate it against."""

    supervisee = forms.TypedChoiceField(
        label=_("Person you supervise"), required=False, coerce=int, empty_value=None
    )
    trainee_email = forms.EmailField(
        label=_("Trainee's email address"),
        required=False,
        help_text=_("The email address they use to log in."),
        error_messages={"invalid": _("Enter an email address in the correct format.")},
    )
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.all(),
        label=_("Competency framework"),
        to_field_name="slug",
        empty_label=None,
        error_messages={
            "required": _("Choose a competency framework."),
            "invalid_choice": _("Choose a competency framework from the list."),
        },
    )

    def __init__(self, *args: Any, observer: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.observer = observer
        self.is_educator = user_is_educator(observer)
        self.supervisees = {
            person.pk: person for person in trainees_observable_by(observer=observer)
        }
        if self.supervisees:
            self.fields["supervisee"].choices = [("", gettext("Choose a person"))] + [
                (pk, person_name(person)) for pk, person in self.supervisees.items()
            ]
        else:
            del self.fields["supervisee"]
        if not self.is_educator:
            del self.fields["trainee_email"]
        elif self.supervisees:
            self.fields["trainee_email"].help_text = gettext(
                "Or anyone else, by the email address they log in with."
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        trainee = None
        pk = cleaned.get("supervisee")
        email = cleaned.get("trainee_email")
        first_field = "supervisee" if "supervisee" in self.fields else "trainee_email"
        if pk:
            trainee = self.supervisees.get(pk)
        elif email:
            trainee = selectors.user_by_email(email=email)
            if trainee is None:
                self.add_error(
                    "trainee_email", gettext("No one has an account with this email address.")
                )
                return cleaned
        elif not self.errors:
            self.add_error(first_field, gettext("Choose the person whose practice you observed."))
            return cleaned
        if trainee is not None and not user_may_observe(observer=self.observer, trainee=trainee):
            self.add_error(first_field, gettext("You cannot record observations for this person."))
        cleaned["trainee"] = trainee
        return cleaned


class ObservationForm(forms.Form):
    """Step 2: when and where, then each competency seen at a level, met or not yet."""

    observed_on = forms.DateField(
        label=_("Date of the observation"),
        widget=DateInput(),
        error_messages={
            "required": _("Enter the date of the observation."),
            "invalid": _("Enter the date of the observation as a real date, like 27 3 2026."),
        },
    )
    setting = forms.CharField(
        label=_("Setting"),
        max_length=200,
        help_text=_("Where you saw their practice, for example Home visit or Baby clinic."),
        error_messages={
            "required": _("Enter the setting, for example Home visit."),
            "max_length": _("Enter a setting of 200 characters or fewer."),
        },
    )
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you saw, what went well and what to develop. The trainee reads this."),
    )

    OUTCOME_CHOICES = [("", _("Not observed")), *ObservationCompetency.Outcome.choices]

    def __init__(
        self,
        *args: Any,
        framework: Framework,
        competencies: list[Competency],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.competencies = competencies
        for competency in competencies:
            self.fields[f"level_{competency.pk}"] = forms.TypedChoiceField(
                label=gettext("Level for %(competency)s")
                % {"competency": f"{competency.code} {competency.short_name}"},
                choices=_level_choices(framework),
                coerce=int,
                required=False,
                empty_value=None,
                initial=1,
                error_messages={"invalid_choice": _level_error(framework, competency)},
            )
            self.fields[f"outcome_{competency.pk}"] = forms.ChoiceField(
                label=f"{competency.code} {competency.short_name}",
                choices=self.OUTCOME_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": gettext("Choose met, not yet or not observed for %(code)s.")
                    % {"code": competency.code}
                },
            )

    def rows(self) -> list[dict[str, Any]]:
        """The competency table, grouped by area, for the template."""
        areas: dict[int, dict[str, Any]] = {}
        for competency in self.competencies:
            area = areas.setdefault(
                competency.area_id, {"area": competency.area, "competencies": []}
            )
            area["competencies"].append(
                {
                    "competency": competency,
                    "level": self[f"level_{competency.pk}"],
                    "outcome": self[f"outcome_{competency.pk}"],
                }
            )
        return list(areas.values())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        ratings = []
        for competency in self.competencies:
            outcome = cleaned.get(f"outcome_{competency.pk}")
            if not outcome:
                continue
            level = cleaned.get(f"level_{competency.pk}")
            if level is None:
                if f"level_{competency.pk}" not in self.errors:
                    self.add_error(
                        f"level_{competency.pk}", _level_error(self.framework, competency)
                    )
                continue
            ratings.append((competency.pk, level, outcome))
        if not ratings and not self.errors:
            raise ValidationError(gettext("Rate at least one competency as met or not yet."))
        cleaned["ratings"] = ratings
        return cleaned


# Self-assessment.


class SelfAssessmentForm(forms.Form):
    """One target level for the framework, then a rating per competency."""

    level = forms.TypedChoiceField(
        label=_("The level you are aiming for"),
        coerce=int,
        help_text=_("You rate every competency in this framework at this level."),
    )

    RATING_CHOICES = SelfAssessment.Rating.choices

    def __init__(
        self,
        *args: Any,
        framework: Framework,
        competencies: list[Competency],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.competencies = competencies
        self.fields["level"].choices = _level_choices(framework)
        self.fields["level"].error_messages["invalid_choice"] = _level_error(framework)
        self.fields["level"].error_messages["required"] = gettext(
            "Choose the level you are aiming for."
        )
        for competency in competencies:
            self.fields[f"rating_{competency.pk}"] = forms.ChoiceField(
                label=f"{competency.code} {competency.short_name}",
                choices=self.RATING_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": gettext(
                        "Choose achieved, working towards or not yet for %(code)s."
                    )
                    % {"code": competency.code}
                },
            )

    def rows(self) -> list[dict[str, Any]]:
        areas: dict[int, dict[str, Any]] = {}
        for competency in self.competencies:
            area = areas.setdefault(
                competency.area_id, {"area": competency.area, "competencies": []}
            )
            area["competencies"].append(
                {"competency": competency, "rating": self[f"rating_{competency.pk}"]}
            )
        return list(areas.values())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        ratings = {
            competency.pk: cleaned.get(f"rating_{competency.pk}") or None
            for competency in self.competencies
        }
        if not any(ratings.values()) and not self.errors:
            raise ValidationError(gettext("Rate at least one competency."))
        # Only answered competencies are saved; leaving one blank keeps any earlier rating out.
        cleaned["ratings"] = {pk: rating for pk, rating in ratings.items() if rating}
        return cleaned


# External learning.


class ExternalLearningForm(forms.Form):
    """One record of learning done elsewhere: what the CPD portfolio needs and, when a
    framework is chosen, the competencies it claims. ``instance`` makes it the change form."""

    title = forms.CharField(
        label=_("Title of the learning"),
        max_length=255,
        error_messages={
            "required": _("Enter the title of the learning."),
            "max_length": _("Enter a title of 255 characters or fewer."),
        },
    )
    provider = forms.CharField(
        label=_("Provider"),
        max_length=255,
        help_text=_("Who ran it, for example a university, a trust or a charity."),
        error_messages={
            "required": _("Enter who provided the learning."),
            "max_length": _("Enter a provider of 255 characters or fewer."),
        },
    )
    completed_on = forms.DateField(
        label=_("Date completed"),
        widget=DateInput(),
        error_messages={
            "required": _("Enter the date you completed the learning."),
            "invalid": _("Enter the date completed as a real date."),
        },
    )
    hours = forms.DecimalField(
        label=_("Hours of learning"),
        min_value=Decimal("0.1"),
        max_value=Decimal("999.9"),
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4", "step": "0.1"}),
        error_messages={
            "required": _("Enter the hours of learning."),
            "invalid": _("Enter the hours as a number, like 3 or 7.5."),
            "min_value": _("Enter the hours as a number greater than 0, like 3 or 7.5."),
            "max_value": _("Enter 999 hours or fewer."),
            "max_decimal_places": _("Enter the hours to one decimal place, like 7.5."),
            "max_digits": _("Enter 999 hours or fewer."),
        },
    )
    participatory = forms.BooleanField(
        label=_("This learning involved other people"),
        required=False,
        help_text=_(
            "For example a workshop, a study day or a group discussion. Professional "
            "revalidation counts these as participatory hours."
        ),
    )
    reflection = forms.CharField(
        label=_("Reflection"),
        required=False,
        max_length=10000,
        help_text=_("What you learnt and how it changed your practice."),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"max_length": _("Enter a reflection of 10,000 characters or fewer.")},
    )
    evidence_file = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("A certificate or letter: a PDF, Word (.docx), JPG or PNG file up to 10 MB."),
    )
    remove_evidence = forms.BooleanField(label=_("Remove the evidence file"), required=False)
    competencies = forms.ModelMultipleChoiceField(
        queryset=Competency.objects.none(),
        label=_("Competencies this learning developed"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one competency this learning developed.")},
    )
    level = forms.TypedChoiceField(label=_("Level you are claiming"), coerce=int)

    def __init__(
        self,
        *args: Any,
        framework: Framework | None,
        instance: ExternalLearning | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = _external_learning_initial(instance, framework)
        super().__init__(*args, **kwargs)
        self.framework = framework
        # The levels already claimed, per competency. A claim from the programme directory
        # maps each competency at its own level; the form shows one level, so saving it
        # unchanged must keep each claim's own level rather than lift them all to one.
        self.claimed_levels: dict[int, int] = (
            {
                claim.competency_id: claim.level
                for claim in instance.claims.filter(competency__framework=framework)
            }
            if instance is not None and framework is not None
            else {}
        )
        if instance is None or not instance.evidence_file:
            del self.fields["remove_evidence"]
        if framework is None:
            # Logged for CPD only: no competencies to claim, so nothing for an educator to review.
            del self.fields["competencies"]
            del self.fields["level"]
            return
        competencies = self.fields["competencies"]
        competencies.queryset = selectors.competencies_of(framework=framework)
        competencies.label_from_instance = lambda c: f"{c.code} {c.short_name}"
        self.fields["level"].choices = _level_choices(framework)
        self.fields["level"].error_messages["invalid_choice"] = _level_error(framework)
        self.fields["level"].error_messages["required"] = _("Choose the level you are claiming.")
        if len(set(self.claimed_levels.values())) > 1:
            self.fields["level"].help_text = _(
                "Your competencies are claimed at different levels, as the programme maps "
                "them. Leave this level as it is to keep each one's level; choosing another "
                "level claims every competency at that level."
            )

    def _claim_level(self, competency_id: int, chosen: int) -> int:
        """The level to claim: the chosen one, unless the form's level was left as shown and
        the competency was already claimed, when its own level stays."""
        shown = max(self.claimed_levels.values(), default=None)
        if chosen == shown and competency_id in self.claimed_levels:
            return self.claimed_levels[competency_id]
        return chosen

    def clean_evidence_file(self) -> Any:
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            try:
                evidence_file_validate(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict["evidence_file"]) from None
        return upload

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned data as the external learning services take it."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "provider": data["provider"],
            "completed_on": data["completed_on"],
            "hours": data["hours"],
            "participatory": data.get("participatory", False),
            "reflection": data.get("reflection", ""),
            "evidence_file": data.get("evidence_file"),
            "framework": self.framework,
            "claims": [
                (competency.pk, self._claim_level(competency.pk, data["level"]))
                for competency in data.get("competencies", [])
            ],
        }


def _external_learning_initial(
    instance: ExternalLearning, framework: Framework | None
) -> dict[str, Any]:
    claims = list(instance.claims.filter(competency__framework=framework)) if framework else []
    return {
        "title": instance.title,
        "provider": instance.provider,
        "completed_on": instance.completed_on,
        "hours": instance.hours,
        "participatory": instance.participatory,
        "reflection": instance.reflection,
        "competencies": [claim.competency_id for claim in claims],
        "level": max((claim.level for claim in claims), default=None),
    }


class ExternalLearningRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The trainee is emailed this, so say what they can do next."),
        error_messages={"required": _("Enter the reason, so the trainee knows what to do next.")},
    )


# The external programme directory.


class ProgrammeSearchForm(forms.Form):
    """The directory's search box and filters, read from the query string."""

    q = forms.CharField(label=_("Search programmes"), required=False, max_length=200)
    level = forms.TypedChoiceField(label=_("Level"), required=False, coerce=int, empty_value=None)
    format = forms.ChoiceField(label=_("Format"), required=False)
    area = forms.ModelChoiceField(
        label=_("Competency area"), queryset=Area.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [
            ("", gettext("Any level")),
            *selectors.programme_directory_levels(),
        ]
        self.fields["format"].choices = [
            ("", gettext("Any format")),
            *ExternalProgramme.Format.choices,
        ]
        areas = selectors.programme_directory_areas()
        several = len({area.framework_id for area in areas}) > 1
        area_field = self.fields["area"]
        area_field.queryset = areas
        area_field.empty_label = gettext("Any area")
        area_field.label_from_instance = (
            (lambda area: f"{area.framework.name}: {area.name}")
            if several
            else (lambda area: area.name)
        )

    def filters(self) -> dict[str, Any]:
        """What to search for; a value that is not offered is left out, not an error."""
        if self.is_valid():
            data = self.cleaned_data
        else:
            data = {
                name: self.cleaned_data.get(name)
                for name in ("q", "level", "format", "area")
                if name not in self.errors
            }
        return {
            "query": data.get("q") or "",
            "level": data.get("level") or None,
            "format": data.get("format") or "",
            "area": data.get("area"),
        }


class ProgrammeClaimForm(forms.Form):
    """ "I've done this": the date and, when it differs from the usual, the hours."""

    completed_on = forms.DateField(
        label=_("Date you completed it"),
        widget=DateInput(),
        error_messages={
            "required": _("Enter the date you completed the programme."),
            "invalid": _("Enter the date completed as a real date."),
        },
    )
    hours = forms.DecimalField(
        label=_("Hours of learning (optional)"),
        required=False,
        min_value=Decimal("0.1"),
        max_value=Decimal("999.9"),
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4", "step": "0.1"}),
        error_messages={
            "invalid": _("Enter the hours as a number, like 3 or 7.5."),
            "min_value": _("Enter the hours as a number greater than 0, like 3 or 7.5."),
            "max_value": _("Enter 999 hours or fewer."),
            "max_decimal_places": _("Enter the hours to one decimal place, like 7.5."),
            "max_digits": _("Enter 999 hours or fewer."),
        },
    )

    def __init__(self, *args: Any, programme: ExternalProgramme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hours"].help_text = gettext(
            "Leave this empty for the usual %(hours)s. Change it if you did more or less."
        ) % {"hours": hours_text(programme.typical_hours)}

    def clean_completed_on(self) -> Any:
        value = self.cleaned_data["completed_on"]
        if value and value > timezone.localdate():
            raise ValidationError(_("The date completed must be today or in the past."))
        return value
