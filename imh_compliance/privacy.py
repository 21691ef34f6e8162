"""What the compliance app holds about a person, for data export and account erasure.

On erasure (inside the account-deletion transaction):

- the person's assignments and the reminders sent to them are deleted: they describe one
  identifiable person's duties, and the same deletion ends all their memberships;
- digests sent to them as a manager are deleted for the same reason;
- the audit log keeps its rows, because an organisation must still be able to show that a
  record was opened and when, but the erased person is no longer named or linked in it:
  ``member``/``viewer`` become empty and their copied name becomes "Deleted account";
- where they acted on other people's data (assigned training, sent a reminder, set up a rule,
  asked for a report) those rows belong to the others and stay, with the link to them
  emptied.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction

from imh_compliance.models import AccessEvent, Assignment, Digest, MandatoryRule, Reminder, Report

DELETED_ACCOUNT_NAME = "Deleted account"


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value else None


def _item_title(row) -> str:
    item = row.course if row.course_id else row.pathway
    return item.title if item is not None else ""


def user_data_export(user: Any) -> dict[str, list[dict[str, Any]]]:
    """The person's mandatory training, reminders sent to them, and who viewed their record
    (and, for managers, whose records they viewed)."""
    assignments = (
        Assignment.objects.filter(user=user)
        .select_related("organisation", "course", "pathway")
        .order_by("assigned_at", "pk")
    )
    reminders = (
        Reminder.objects.filter(user=user)
        .select_related("organisation", "assignment__course", "assignment__pathway")
        .order_by("sent_at", "pk")
    )
    about = (
        AccessEvent.objects.filter(member=user)
        .select_related("organisation")
        .order_by("created_at", "pk")
    )
    by = (
        AccessEvent.objects.filter(viewer=user)
        .select_related("organisation")
        .order_by("created_at", "pk")
    )
    return {
        "assignments": [
            {
                "organisation": assignment.organisation.name,
                "kind": "course" if assignment.course_id else "pathway",
                "title": _item_title(assignment),
                "due_on": _when(assignment.due_on),
                "how_assigned": assignment.get_source_display(),
                "assigned_at": _when(assignment.assigned_at),
                "enrolment_problem": assignment.enrolment_problem,
            }
            for assignment in assignments
        ],
        "reminders_received": [
            {
                "organisation": reminder.organisation.name,
                "kind": reminder.get_kind_display(),
                "about": _item_title(reminder.assignment) if reminder.assignment_id else "",
                "due_on": _when(reminder.due_on),
                "sent_at": _when(reminder.sent_at),
            }
            for reminder in reminders
        ],
        "record_viewed_by": [
            {
                "organisation": event.organisation.name,
                "viewer": event.viewer_name,
                "action": event.get_action_display(),
                "at": _when(event.created_at),
            }
            for event in about
        ],
        "records_you_viewed": [
            {
                "organisation": event.organisation.name,
                "member": event.member_name,
                "action": event.get_action_display(),
                "detail": event.detail,
                "at": _when(event.created_at),
            }
            for event in by
        ],
    }


@transaction.atomic
def user_data_erase(user: Any) -> None:
    """Delete the person's own compliance data; unname them in the audit log (see above)."""
    Reminder.objects.filter(user=user).delete()
    Assignment.objects.filter(user=user).delete()
    Digest.objects.filter(manager=user).delete()

    AccessEvent.objects.filter(member=user).update(member=None, member_name=DELETED_ACCOUNT_NAME)
    AccessEvent.objects.filter(viewer=user).update(viewer=None, viewer_name=DELETED_ACCOUNT_NAME)

    Assignment.objects.filter(assigned_by=user).update(assigned_by=None)
    Reminder.objects.filter(sent_by=user).update(sent_by=None)
    MandatoryRule.objects.filter(created_by=user).update(created_by=None)
    Report.objects.filter(requested_by=user).update(requested_by=None)
