"""Register the courses admin views (defined in courses/viewsets/)."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from imh_courses.models import Enrolment
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
