"""Mandatory rules: which course or pathway an organisation requires of which roles.

Creating a rule (or making one active again) assigns it to the current members it applies
to in the background, once the change has committed; members who join later are assigned
as they join (``imh_compliance.receivers``). Changing a rule never takes assignments away or
moves due dates already given: people keep what they were told.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from imh_accounts.choices import ProfessionalRole
from imh_compliance.models import MAX_DUE_DAYS, MAX_RENEWAL_DAYS, MandatoryRule
from imh_compliance.selectors.rules import item_for_key
from imh_compliance.services.assignments import require_manager
from imh_courses.models import Pathway

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from imh_organisations.models import Organisation


def _rule_apply_later(rule: MandatoryRule) -> None:
    from imh_compliance.tasks.assignments import rule_apply_task

    rule_id = rule.pk
    transaction.on_commit(lambda: rule_apply_task.enqueue(rule_id), robust=True)


def _settings_errors(
    *, roles: list[str], due_within_days: int | None, renewal_days_before_expiry: int | None
) -> dict[str, str]:
    errors = {}
    if not isinstance(roles, list | tuple) or set(roles) - set(ProfessionalRole.values):
        errors["roles"] = _("Choose roles from the list.")
    if not isinstance(due_within_days, int) or not 1 <= due_within_days <= MAX_DUE_DAYS:
        errors["due_within_days"] = _("Enter a number of days from %(minimum)s to %(maximum)s.") % {
            "minimum": 1,
            "maximum": MAX_DUE_DAYS,
        }
    if (
        not isinstance(renewal_days_before_expiry, int)
        or not 0 <= renewal_days_before_expiry <= MAX_RENEWAL_DAYS
    ):
        errors["renewal_days_before_expiry"] = _(
            "Enter a number of days from %(minimum)s to %(maximum)s."
        ) % {"minimum": 0, "maximum": MAX_RENEWAL_DAYS}
    return errors


def _roles_normalise(roles: list[str]) -> list[str]:
    """The roles once each, in the order of the list people choose from."""
    chosen = set(roles)
    return [role for role in ProfessionalRole.values if role in chosen]


@transaction.atomic
def rule_create(
    *,
    organisation: Organisation,
    actor: AbstractBaseUser | None,
    item_key: str,
    roles: list[str],
    due_within_days: int,
    renewal_days_before_expiry: int,
) -> MandatoryRule:
    """Make a course or pathway mandatory for staff in ``roles`` (all staff when empty).

    ``actor`` is a manager of the organisation, or None for a platform administrator or the
    system (demo data). Current members it applies to are assigned it after commit.
    """
    if actor is not None:
        require_manager(organisation=organisation, actor=actor)
    errors = _settings_errors(
        roles=roles,
        due_within_days=due_within_days,
        renewal_days_before_expiry=renewal_days_before_expiry,
    )
    item = item_for_key(item_key or "")
    if item is None:
        errors["item_key"] = _("Choose a course or pathway from the list.")
    elif (
        MandatoryRule.objects.filter(organisation=organisation)
        .filter(**({"pathway": item} if isinstance(item, Pathway) else {"course": item}))
        .exists()
    ):
        errors["item_key"] = _(
            "%(organisation)s already has a rule for “%(title)s”. Change that rule instead."
        ) % {"organisation": organisation.name, "title": item.title}
    if errors:
        raise ValidationError(errors)

    rule = MandatoryRule(
        organisation=organisation,
        course=None if isinstance(item, Pathway) else item,
        pathway=item if isinstance(item, Pathway) else None,
        roles=_roles_normalise(roles),
        due_within_days=due_within_days,
        renewal_days_before_expiry=renewal_days_before_expiry,
        is_active=True,
        created_by=actor,
    )
    rule.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError as error:  # The same rule, added a moment ago in another request.
        raise ValidationError(
            {
                "item_key": _(
                    "%(organisation)s already has a rule for “%(title)s”. Change that rule instead."
                )
                % {"organisation": organisation.name, "title": item.title}
            }
        ) from error
    _rule_apply_later(rule)
    return rule


@transaction.atomic
def rule_update(
    *,
    rule: MandatoryRule,
    actor: AbstractBaseUser | None,
    roles: list[str],
    due_within_days: int,
    renewal_days_before_expiry: int,
    is_active: bool,
) -> MandatoryRule:
    """Change a rule's roles, days and whether it is active.

    An active rule is applied again after commit (so newly included roles are assigned);
    assignments already made stay as they are.
    """
    if actor is not None:
        require_manager(organisation=rule.organisation, actor=actor)
    errors = _settings_errors(
        roles=roles,
        due_within_days=due_within_days,
        renewal_days_before_expiry=renewal_days_before_expiry,
    )
    if errors:
        raise ValidationError(errors)
    locked = MandatoryRule.objects.select_for_update().get(pk=rule.pk)
    locked.roles = _roles_normalise(roles)
    locked.due_within_days = due_within_days
    locked.renewal_days_before_expiry = renewal_days_before_expiry
    locked.is_active = bool(is_active)
    locked.full_clean(validate_constraints=False)
    locked.save()
    if locked.is_active:
        _rule_apply_later(locked)
    return locked


@transaction.atomic
def rule_deactivate(*, rule: MandatoryRule, actor: AbstractBaseUser | None) -> MandatoryRule:
    """Stop a rule assigning anything new; what it assigned already stays."""
    return rule_update(
        rule=rule,
        actor=actor,
        roles=list(rule.roles),
        due_within_days=rule.due_within_days,
        renewal_days_before_expiry=rule.renewal_days_before_expiry,
        is_active=False,
    )
