"""Background work for mandatory training: applying a rule, the daily sync and renewals.

``rules_sync_task`` and ``renewals_assign_task`` are meant to run once a day (the task
backend has no scheduler of its own: cron or a systemd timer enqueues them). Each is safe to
run again or twice at once: the database lets one assignment per member and item, and one
open enrolment per person and course.
"""

from __future__ import annotations

from imh_compliance.models import MandatoryRule
from imh_compliance.services import assignments
from imh_core.tasks import task


@task()
def rule_apply_task(rule_id: int) -> str:
    """Assign one rule to the current members it applies to."""
    rule = (
        MandatoryRule.objects.select_related("organisation", "course", "pathway", "created_by")
        .filter(pk=rule_id)
        .first()
    )
    if rule is None:
        return "missing"
    if not rule.is_active:
        return "inactive"
    return f"assigned {assignments.rule_apply(rule=rule)}"


@task()
def rules_sync_task() -> str:
    """Apply every active rule again and retry enrolments that could not be made."""
    return f"assigned {assignments.rules_sync()}"


@task()
def renewals_assign_task() -> str:
    """Enrol people whose certificates for mandatory courses are about to run out."""
    return f"renewals {assignments.renewals_assign()}"
