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

from imh_competencies import selectors
from imh_competencies.models import Competency, Framework, ObservationCompetency, SelfAssessment
from imh_competencies.policies import trainees_observable_by, user_is_educator, user_may_observe
from imh_competencies.services import evidence_file_validate


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"class": "nhsuk-input--width-10", **(attrs or {})}, format="%Y-%m-%d"
        )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field where the form has one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for item in errors:
                form.add_error(target, item.messages[0] if item.messages else str(item))
    else:
        for message in error.messages:
            form.add_error(None, message)


def _level_choices(framework: Framework) -> list[tuple[int, str]]:
    return framework.level_choices


def _level_error(framework: Framework, competency: Competency | None = None) -> str:
    levels = framework.levels
    what = f" for {competency.code} {competency.short_name}" if competency else ""
    return (
        f"Choose a level from {framework.level_label(1)} to "
        f"{framework.level_label(len(levels))}{what}."
    )


# Observations of practice.


class ObservationStartForm(forms.Form):
    """Step 1: whose practice, and which framework to rate it against."""

    supervisee = forms.TypedChoiceField(
        label="Person you supervise", required=False, coerce=int, empty_value=None
    )
    trainee_email = forms.EmailField(
        label="Trainee's email address",
        required=False,
        help_text="The email address they use to log in.",
        error_messages={"invalid": "Enter an email address in the correct format."},
    )
    framework = forms.ModelChoiceField(
        queryset=Framework.objects.all(),
        label="Competency framework",
        to_field_name="slug",
        empty_label=None,
        error_messages={
            "required": "Choose a competency framework.",
            "invalid_choice": "Choose a competency framework from the list.",
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
            self.fields["supervisee"].choices = [("", "Choose a person")] + [
                (pk, _name(person)) for pk, person in self.supervisees.items()
            ]
        else:
            del self.fields["supervisee"]
        if not self.is_educator:
            del self.fields["trainee_email"]
        elif self.supervisees:
            self.fields[
                "trainee_email"
            ].help_text = "Or anyone else, by the email address they log in with."

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
                self.add_error("trainee_email", "No one has an account with this email address.")
                return cleaned
        elif not self.errors:
            self.add_error(first_field, "Choose the person whose practice you observed.")
            return cleaned
        if trainee is not None and not user_may_observe(observer=self.observer, trainee=trainee):
            self.add_error(first_field, "You cannot record observations for this person.")
        cleaned["trainee"] = trainee
        return cleaned


def _name(person: Any) -> str:
    profile = getattr(person, "profile", None)
    return (
        (getattr(profile, "full_name", "") or "").strip() or person.get_full_name() or person.email
    )


class ObservationForm(forms.Form):
    """Step 2: when and where, then each competency seen at a level, met or not yet."""

    observed_on = forms.DateField(
        label="Date of the observation",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date of the observation.",
            "invalid": "Enter the date of the observation as a real date, like 27 3 2026.",
        },
    )
    setting = forms.CharField(
        label="Setting",
        max_length=200,
        help_text="Where you saw their practice, for example Home visit or Baby clinic.",
        error_messages={
            "required": "Enter the setting, for example Home visit.",
            "max_length": "Enter a setting of 200 characters or fewer.",
        },
    )
    comments = forms.CharField(
        label="Comments",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What you saw, what went well and what to develop. The trainee reads this.",
    )

    OUTCOME_CHOICES = [("", "Not observed"), *ObservationCompetency.Outcome.choices]

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
                label=f"Level for {competency.code} {competency.short_name}",
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
                    "invalid_choice": f"Choose met, not yet or not observed for {competency.code}."
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
            raise ValidationError("Rate at least one competency as met or not yet.")
        cleaned["ratings"] = ratings
        return cleaned


# Self-assessment.


class SelfAssessmentForm(forms.Form):
    """One target level for the framework, then a rating per competency."""

    level = forms.TypedChoiceField(
        label="The level you are aiming for",
        coerce=int,
        help_text="You rate every competency in this framework at this level.",
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
        self.fields["level"].error_messages["required"] = "Choose the level you are aiming for."
        for competency in competencies:
            self.fields[f"rating_{competency.pk}"] = forms.ChoiceField(
                label=f"{competency.code} {competency.short_name}",
                choices=self.RATING_CHOICES,
                required=False,
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": (
                        f"Choose achieved, working towards or not yet for {competency.code}."
                    )
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
            raise ValidationError("Rate at least one competency.")
        # Only answered competencies are saved; leaving one blank keeps any earlier rating out.
        cleaned["ratings"] = {pk: rating for pk, rating in ratings.items() if rating}
        return cleaned


# External learning.


class ExternalLearningForm(forms.Form):
    title = forms.CharField(
        label="Title of the learning",
        max_length=255,
        error_messages={"required": "Enter the title of the learning."},
    )
    provider = forms.CharField(
        label="Provider",
        max_length=255,
        help_text="Who ran it, for example a university, a trust or a charity.",
        error_messages={"required": "Enter who provided the learning."},
    )
    completed_on = forms.DateField(
        label="Date completed",
        widget=DateInput(),
        error_messages={
            "required": "Enter the date you completed the learning.",
            "invalid": "Enter the date completed as a real date.",
        },
    )
    hours = forms.DecimalField(
        label="Hours of learning",
        min_value=Decimal("0.5"),
        max_value=Decimal("999.5"),
        max_digits=5,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"class": "nhsuk-input--width-4", "step": "0.5"}),
        error_messages={
            "required": "Enter the hours of learning.",
            "invalid": "Enter the hours as a number, like 3 or 7.5.",
            "min_value": "Enter at least half an hour.",
            "max_value": "Enter 999 hours or fewer.",
            "max_decimal_places": "Enter the hours to the nearest half hour, like 7.5.",
        },
    )
    description = forms.CharField(
        label="What you learnt",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    evidence_file = forms.FileField(
        label="Evidence (optional)",
        required=False,
        help_text="A certificate or letter: a PDF, Word (.docx), JPG or PNG file up to 10 MB.",
    )
    competencies = forms.ModelMultipleChoiceField(
        queryset=Competency.objects.none(),
        label="Competencies this learning developed",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one competency this learning developed."},
    )
    level = forms.TypedChoiceField(label="Level you are claiming", coerce=int)

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.framework = framework
        competencies = self.fields["competencies"]
        competencies.queryset = selectors.competencies_of(framework=framework)
        competencies.label_from_instance = lambda c: f"{c.code} {c.short_name}"
        self.fields["level"].choices = _level_choices(framework)
        self.fields["level"].error_messages["invalid_choice"] = _level_error(framework)
        self.fields["level"].error_messages["required"] = "Choose the level you are claiming."

    def clean_evidence_file(self) -> Any:
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            try:
                evidence_file_validate(upload)
            except ValidationError as error:
                raise ValidationError(error.message_dict["evidence_file"]) from None
        return upload


class ExternalLearningRejectForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The trainee is emailed this, so say what they can do next.",
        error_messages={"required": "Enter the reason, so the trainee knows what to do next."},
    )
