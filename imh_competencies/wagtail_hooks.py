"""Wagtail hooks for competencies: the admin (in each viewsets module) and data rights."""

from __future__ import annotations

from wagtail import hooks

from imh_competencies.selectors import competency_data_export_for_user
from imh_competencies.services import competency_data_erase_for_user
from imh_competencies.viewsets import evidence, frameworks, programmes  # noqa: F401
from imh_core.hooks import IMH_USER_DATA_ERASERS, IMH_USER_DATA_EXPORTERS


@hooks.register(IMH_USER_DATA_EXPORTERS)
def competencies_exporter():
    return "competencies", competency_data_export_for_user


@hooks.register(IMH_USER_DATA_ERASERS)
def competencies_eraser():
    return "competencies", lambda user: competency_data_erase_for_user(user=user)
