"""The core app's Wagtail hooks: the Learning menu, queue upkeep, its eraser, the site issuer."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from imh_core.hooks import (
    IMH_CERTIFICATE_ISSUER,
    IMH_LEARNING_MENU_ITEMS,
    IMH_SCHEDULES,
    IMH_USER_DATA_ERASERS,
)
from imh_core.scheduler import Schedule
from imh_core.site import site_issuer

# After Wagtail's Pages (100), before Images (300): learning is what the site is for.
LEARNING_MENU_ORDER = 200


@hooks.register("register_admin_menu_item")
def learning_menu() -> SubmenuMenuItem:
    """The one top-level menu for every app's admin; each app adds its items by a hook.

    A submenu shows only when one of its items does, so people who may use none of the items
    never see "Learning" at all.
    """
    return SubmenuMenuItem(
        _("Learning"),
        Menu(register_hook_name=IMH_LEARNING_MENU_ITEMS),
        name="learning",
        icon_name="glasses",
        order=LEARNING_MENU_ORDER,
    )


@hooks.register(IMH_SCHEDULES)
def task_queue_schedules() -> list[Schedule]:
    return [
        Schedule(
            name="task-results-prune",
            task="imh_core.tasks.task_results_prune_task",
            at=datetime.time(3, 30),
        ),
        Schedule(
            name="tasks-recover",
            task="imh_core.tasks.tasks_recover_task",
            every=datetime.timedelta(minutes=5),
        ),
    ]


@hooks.register(IMH_USER_DATA_ERASERS)
def queued_emails_eraser():
    from imh_core.privacy import user_data_erase

    return "queued-emails", user_data_erase


# Last (order 100), so that a host site's own answer (its branding and logo) comes first.
@hooks.register(IMH_CERTIFICATE_ISSUER, order=100)
def wagtail_site_issuer() -> dict[str, Any]:
    return site_issuer()
