"""What the task queue holds about a person, for account erasure: their queued emails.

Emails go through the task queue, and the database backend stores each message until it has
been delivered (and a failed one until the task results are pruned). On account deletion the
stored emails to or from any of the person's addresses are deleted, queued ones included:
nothing should reach an account that no longer exists. Emails that only mention the person
(a manager's digest, say) are not searched for; they go when the results are pruned.
"""

from __future__ import annotations

from typing import Any

from imh_core.task_results import database_backend_in_use, email_results_delete


def user_data_erase(user: Any) -> None:
    from allauth.account.models import EmailAddress

    if not database_backend_in_use():
        return  # nothing is stored: the messages were sent, or dropped, when they were made
    others = EmailAddress.objects.filter(user=user).values_list("email", flat=True)
    addresses = {user.email, *others}
    email_results_delete(addresses=addresses)
