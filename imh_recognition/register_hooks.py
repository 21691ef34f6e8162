"""Hooks for the register side of recognition: the daily renewal job and the admin revoke
page. Imported by ``imh_recognition.wagtail_hooks`` so that Wagtail registers them."""

from __future__ import annotations

import datetime

from wagtail import hooks

from imh_core.hooks import IMH_SCHEDULES
from imh_core.scheduler import Schedule


@hooks.register(IMH_SCHEDULES)
def recognition_schedules() -> list[Schedule]:
    return [
        Schedule(
            name="recognition-renewals",
            task="imh_recognition.tasks_renewal.recognition_renewals_run",
            at=datetime.time(7, 15),
        ),
    ]


@hooks.register("register_admin_urls")
def recognition_register_admin_urls():
    from imh_recognition.admin_revoke import admin_urlpatterns

    return admin_urlpatterns
