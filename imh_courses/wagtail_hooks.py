"""Wagtail hooks for courses: the admin views (defined in viewsets/) and the answers courses
gives the apps below it: who may attempt activities, lesson reflections, data erasure."""

from __future__ import annotations

from typing import Any

from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from imh_core.hooks import (
    IMH_ATTEMPT_POLICIES,
    IMH_PORTFOLIO_REFLECTIONS,
    IMH_USER_DATA_ERASERS,
)
from imh_courses.models import Enrolment
from imh_courses.privacy import user_data_erase
from imh_courses.selectors.learning import pages_user_may_attempt, reflections_for
from imh_courses.viewsets import coverage, learning, sessions
from imh_courses.viewsets.learning import EnrolmentPermissionPolicy
from imh_courses.viewsets.pathways import PathwayViewSet

register_snippet(PathwayViewSet)


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [*learning.VIEWSETS, *sessions.VIEWSETS, *coverage.VIEWSETS]


@hooks.register("register_reports_menu_item")
def register_coverage_menu_item():
    return coverage.coverage_menu_item()


# Learning records: read-only in the admin, visible to educators (courses/viewsets/learning.py).
# Registered at import, before any viewset asks for the policy (Wagtail would make a fallback).
register_permission_policy(Enrolment, EnrolmentPermissionPolicy(Enrolment))


@hooks.register(IMH_ATTEMPT_POLICIES)
def enrolled_trainees_may_attempt(user: Any, page_ids: list[int]) -> set[int]:
    # Enrolled trainees (in progress or completed) may attempt the activities in lessons.
    return pages_user_may_attempt(user=user, page_ids=page_ids)


@hooks.register(IMH_PORTFOLIO_REFLECTIONS)
def lesson_reflections(user: Any) -> list[dict[str, Any]]:
    # Lesson reflections show in the certificates app's CPD portfolio.
    return [
        {
            "title": reflection.lesson.title,
            "prompt": reflection.prompt,
            "text": reflection.text,
            "updated_at": reflection.updated_at,
            "url": reflection.lesson.url,
        }
        for reflection in reflections_for(user=user)
    ]


@hooks.register(IMH_USER_DATA_ERASERS)
def courses_eraser():
    # Deleting an account removes the person's reflections and frees their session places.
    return "courses", user_data_erase
