"""Managers' mandatory training rules: list, add, change and deactivate.

Each view finds the organisation through ``organisation_for_manager`` and the rule only
within it, so an id from elsewhere is a 404; the services check the manager again.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from imh_accounts.choices import ProfessionalRole
from imh_compliance.models import MAX_DUE_DAYS, MAX_RENEWAL_DAYS, MandatoryRule
from imh_compliance.selectors.access import organisation_for_manager
from imh_compliance.selectors.rules import assignable_items, rule_of_organisation, rules_for
from imh_compliance.services import rules as rule_services
from imh_core.formatting import and_list
from imh_core.forms import add_service_errors
from imh_organisations.models import Organisation

_NUMBER_ATTRS = {"inputmode": "numeric", "class": "nhsuk-input--width-4", "spellcheck": "false"}


def _days_field(*, label: str, help_text: str, minimum: int, maximum: int, initial: int):
    message = format_lazy(
        _("Enter a number of days from {minimum} to {maximum}."), minimum=minimum, maximum=maximum
    )
    return forms.IntegerField(
        label=label,
        help_text=help_text,
        min_value=minimum,
        max_value=maximum,
        initial=initial,
        widget=forms.TextInput(attrs=_NUMBER_ATTRS),
        error_messages={
            "required": message,
            "invalid": format_lazy(
                _("Enter a whole number of days, like {initial}."), initial=initial
            ),
            "min_value": message,
            "max_value": message,
        },
    )


class RuleSettingsForm(forms.Form):
    """Who a rule applies to and how long they have: shared by adding and changing."""

    roles = forms.MultipleChoiceField(
        label=_("Professional roles"),
        required=False,
        choices=ProfessionalRole.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Staff whose profile gives one of these roles must complete it. Choose none for "
            "all staff, managers included."
        ),
        error_messages={"invalid_choice": _("Choose roles from the list.")},
    )
    due_within_days = _days_field(
        label=_("Due within (days)"),
        help_text=_(
            "How long new staff have to complete it after they join. Staff here already are "
            "given the same time from today."
        ),
        minimum=1,
        maximum=MAX_DUE_DAYS,
        initial=90,
    )
    renewal_days_before_expiry = _days_field(
        label=_("Renew (days before expiry)"),
        help_text=_(
            "For training whose certificate expires: staff are enrolled again this many days "
            "before it runs out, due on the expiry date."
        ),
        minimum=0,
        maximum=MAX_RENEWAL_DAYS,
        initial=60,
    )


class RuleAddForm(RuleSettingsForm):
    item_key = forms.ChoiceField(
        label=_("Course or pathway"),
        error_messages={
            "required": _("Choose a course or pathway."),
            "invalid_choice": _("Choose a course or pathway from the list."),
        },
    )
    field_order = ["item_key", "roles", "due_within_days", "renewal_days_before_expiry"]

    def __init__(self, *args, organisation: Organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        items = assignable_items(organisation=organisation)
        self.fields["item_key"].choices = [
            ("", gettext("Choose a course or pathway")),
            (gettext("Courses"), [item for item in items if item[0].startswith("course:")]),
            (gettext("Pathways"), [item for item in items if item[0].startswith("pathway:")]),
        ]


class RuleEditForm(RuleSettingsForm):
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Inactive rules assign nothing new; what they assigned stays."),
    )


def _crumbs(organisation: Organisation, *extra: tuple[str, str]) -> list[tuple[str, str]]:
    return [
        (gettext("Home"), "/"),
        (gettext("Your organisations"), reverse("imh_organisations:mine")),
        (organisation.name, reverse("imh_organisations:manage", args=[organisation.pk])),
        (gettext("Staff compliance"), reverse("imh_compliance:dashboard", args=[organisation.pk])),
        *extra,
    ]


def _rules_crumbs(organisation: Organisation) -> list[tuple[str, str]]:
    return _crumbs(
        organisation,
        (gettext("Mandatory training"), reverse("imh_compliance:rules", args=[organisation.pk])),
    )


def _roles_text(rule: MandatoryRule) -> str:
    if not rule.roles:
        return gettext("all staff")
    labels = [str(ProfessionalRole(role).label).lower() for role in rule.roles]
    return and_list(labels)


def _renewal_text(rule: MandatoryRule) -> str:
    if rule.course_id and not rule.course.certificate_validity_months:
        return gettext("Does not expire")
    days = rule.renewal_days_before_expiry
    if days == 0:
        return gettext("On the expiry date")
    return ngettext("%(count)s day before expiry", "%(count)s days before expiry", days) % {
        "count": days
    }


@login_required
@require_GET
def rule_list(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    rules = rules_for(organisation=organisation)
    for rule in rules:
        rule.roles_text = _roles_text(rule).capitalize()
        rule.renewal_text = _renewal_text(rule)
    return render(
        request,
        "imh_compliance/rules/list.html",
        {
            "organisation": organisation,
            "rules": rules,
            "crumbs": _crumbs(organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_add(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    if request.method == "POST":
        form = RuleAddForm(request.POST, organisation=organisation)
        if form.is_valid():
            try:
                rule = rule_services.rule_create(
                    organisation=organisation,
                    actor=request.user,
                    item_key=form.cleaned_data["item_key"],
                    roles=form.cleaned_data["roles"],
                    due_within_days=form.cleaned_data["due_within_days"],
                    renewal_days_before_expiry=form.cleaned_data["renewal_days_before_expiry"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext(
                        "“%(title)s” is now mandatory for %(roles)s. Staff it applies to are "
                        "being assigned it."
                    )
                    % {"title": rule.item_title, "roles": _roles_text(rule)},
                )
                return redirect("imh_compliance:rules", pk=organisation.pk)
    else:
        form = RuleAddForm(organisation=organisation)
    return render(
        request,
        "imh_compliance/rules/form.html",
        {
            "organisation": organisation,
            "form": form,
            "rule": None,
            "crumbs": _rules_crumbs(organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    rule = rule_of_organisation(organisation=organisation, pk=rule_pk)
    if request.method == "POST":
        form = RuleEditForm(request.POST)
        if form.is_valid():
            try:
                rule = rule_services.rule_update(
                    rule=rule,
                    actor=request.user,
                    roles=form.cleaned_data["roles"],
                    due_within_days=form.cleaned_data["due_within_days"],
                    renewal_days_before_expiry=form.cleaned_data["renewal_days_before_expiry"],
                    is_active=form.cleaned_data["is_active"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    gettext("The rule for “%(title)s” has been saved.")
                    % {"title": rule.item_title},
                )
                return redirect("imh_compliance:rules", pk=organisation.pk)
    else:
        form = RuleEditForm(
            initial={
                "roles": rule.roles,
                "due_within_days": rule.due_within_days,
                "renewal_days_before_expiry": rule.renewal_days_before_expiry,
                "is_active": rule.is_active,
            }
        )
    return render(
        request,
        "imh_compliance/rules/form.html",
        {
            "organisation": organisation,
            "form": form,
            "rule": rule,
            "crumbs": _rules_crumbs(organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_deactivate(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    organisation = organisation_for_manager(user=request.user, pk=pk)
    rule = rule_of_organisation(organisation=organisation, pk=rule_pk)
    if request.method == "POST":
        if rule.is_active:
            rule_services.rule_deactivate(rule=rule, actor=request.user)
        messages.success(
            request,
            gettext(
                "The rule for “%(title)s” is no longer active. New staff will not be "
                "assigned it; what it assigned already stays."
            )
            % {"title": rule.item_title},
        )
        return redirect("imh_compliance:rules", pk=organisation.pk)
    return render(
        request,
        "imh_compliance/rules/deactivate.html",
        {"organisation": organisation, "rule": rule, "crumbs": _rules_crumbs(organisation)},
    )
