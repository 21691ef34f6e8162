"""Wagtail admin for learning records: enrolments (read-only, exportable) and a course report.

Who may look: anyone with the "Can view enrolment" permission (grantable to any group in
Settings > Groups), superusers, and every member of the educators' group who can reach the
admin. Educators get in through the permission policy rather than a stored permission
because their group is made by the host site (the reference site's ``cms`` migration), which
``courses`` must not depend on; ``IMH_EDUCATORS_GROUP`` names it (default "Educators").
Nobody adds, edits or deletes enrolments here: they change only through the services, which
keep the rules (prerequisites, one open enrolment, completion).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_permission_codename, get_user_model
from django.db.models import Q
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import InspectView
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.coreutils import multigetattr
from wagtail.permissions import policy_registry

from imh_accounts.permissions import READ_ACTIONS, ReadOnlyPermissionPolicy
from imh_core.hooks import IMH_LEARNING_MENU_ITEMS
from imh_core.people import person_name, person_name_with_email, select_people
from imh_core.roles import educators_group_name
from imh_core.spreadsheets import SpreadsheetSafeExportMixin
from imh_core.views import SpreadsheetSafeIndexView
from imh_courses.models import Enrolment
from imh_courses.selectors import learning as selectors

_EDUCATOR_CACHE_ATTR = "_courses_is_educator"


def user_is_educator(user: Any) -> bool:
    """An active member of the educators' group who may use the admin (cached on ``user``)."""
    cached = getattr(user, _EDUCATOR_CACHE_ATTR, None)
    if cached is None:
        name = educators_group_name()
        cached = bool(
            name
            and getattr(user, "is_authenticated", False)
            and user.is_active
            and user.has_perm("wagtailadmin.access_admin")
            and user.groups.filter(name=name).exists()
        )
        setattr(user, _EDUCATOR_CACHE_ATTR, cached)
    return cached


class EnrolmentPermissionPolicy(ReadOnlyPermissionPolicy):
    """Only "view" exists; it comes with the model's view permission or with being an educator."""

    def user_has_permission(self, user, action: str) -> bool:
        return action in READ_ACTIONS and (
            super().user_has_permission(user, action) or user_is_educator(user)
        )

    def users_with_any_permission(self, actions: Iterable[str]):
        actions = list(actions)
        users = super().users_with_any_permission(actions)
        name = educators_group_name()
        # Without an educators' group (IMH_EDUCATORS_GROUP = None) only permissions count:
        # filtering on a group name of None would match everyone in no group at all.
        if not name or not READ_ACTIONS.intersection(actions):
            return users
        people = get_user_model()._default_manager
        educators = people.filter(is_active=True, groups__name=name)
        return people.filter(Q(pk__in=users.values("pk")) | Q(pk__in=educators.values("pk")))


def _completed_percent(row: dict[str, Any]) -> str:
    rate = row["completion_rate"]
    return "-" if rate is None else f"{rate:g}%"


def _median_days(row: dict[str, Any]) -> str:
    days = row["median_days_to_complete"]
    return "-" if days is None else f"{days:g}"


class EnrolmentIndexView(SpreadsheetSafeIndexView):
    def get_base_queryset(self):
        queryset = super().get_base_queryset().select_related("course")
        return select_people(queryset, "user", "assigned_by")

    def to_row_dict(self, item):
        # An empty cell for what is not there (no assigner, not completed), never "None".
        row = {}
        for field in self.list_export:
            try:
                value = multigetattr(item, field)
            except AttributeError:
                value = None
            row[field] = "" if value is None else value
        return row


class EnrolmentInspectView(InspectView):
    def get_field_display_value(self, field_name, field):
        # People by name and email rather than by username.
        if field_name in ("user", "assigned_by"):
            person = getattr(self.object, field_name)
            return person_name_with_email(person) or "-"
        return super().get_field_display_value(field_name, field)


class EnrolmentViewSet(ModelViewSet):
    """Who is enrolled on what, filterable by course, status and source; CSV and XLSX export."""

    model = Enrolment
    # "courses" is the site's URL namespace for learning pages; the admin's gets its own.
    name = "enrolments"
    icon = "clipboard-list"
    menu_label = _("Enrolments")
    index_view_class = EnrolmentIndexView
    inspect_view_class = EnrolmentInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "__str__",
        Column("person", label=_("Name"), accessor=lambda e: person_name(e.user)),
        Column("email", label=_("Email"), accessor="user.email"),
        "course",
        "status",
        "source",
        "due_on",
        "enrolled_at",
        "completed_at",
    ]
    list_filter = ["course", "status", "source"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    # Enrolments are not in Wagtail's search index: search the table directly.
    search_backend_name = None
    ordering = ["-enrolled_at"]
    list_export = [
        "user.email",
        "user.first_name",
        "user.last_name",
        "course.title",
        "cycle",
        "get_status_display",
        "get_source_display",
        "assigned_by.email",
        "due_on",
        "enrolled_at",
        "last_activity_at",
        "completed_at",
    ]
    export_headings = {
        "user.email": _("Email"),
        "user.first_name": _("First name"),
        "user.last_name": _("Last name"),
        "course.title": _("Course"),
        "cycle": _("Attempt"),
        "get_status_display": _("Status"),
        "get_source_display": _("Source"),
        "assigned_by.email": _("Assigned by"),
        "due_on": _("Due on"),
        "enrolled_at": _("Enrolled"),
        "last_activity_at": _("Last activity"),
        "completed_at": _("Completed"),
    }
    export_filename = "enrolments"
    inspect_view_fields = [
        "user",
        "course",
        "cycle",
        "status",
        "source",
        "assigned_by",
        "due_on",
        "enrolled_at",
        "last_lesson",
        "last_activity_at",
        "completed_at",
    ]
    # Never used (the permission policy refuses add and change), but ModelViewSet needs it.
    form_fields = ["due_on"]

    def get_permissions_to_register(self):
        # Only "view" means anything under the read-only policy; offer no other to groups.
        view = get_permission_codename("view", self.model_opts)
        return super().get_permissions_to_register().filter(codename=view)


class CourseReportView(SpreadsheetSafeExportMixin, ReportView):
    """Each course's enrolments, completions, completion rate and median time to complete."""

    page_title = _("Course report")
    header_icon = "table"
    index_url_name = "course_report:index"
    index_results_url_name = "course_report:results"
    any_permission_required = ["view"]
    paginate_by = 100
    verbose_name_plural = _("courses")
    list_export = [
        "title",
        "enrolled",
        "in_progress",
        "completed",
        "withdrawn",
        "completion_rate",
        "median_days_to_complete",
    ]
    export_headings = {
        "title": _("Course"),
        "enrolled": _("Enrolled"),
        "in_progress": _("In progress"),
        "completed": _("Completed"),
        "withdrawn": _("Withdrawn"),
        "completion_rate": _("Completion rate (%)"),
        "median_days_to_complete": _("Median days to complete"),
    }
    export_filename = "course-report"

    @cached_property
    def permission_policy(self):
        return policy_registry.get_by_type(Enrolment)

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "title",
                label=_("Course"),
                get_url=lambda row: reverse("enrolments:index") + f"?course={row['course_id']}",
                get_title_id=lambda row: f"course-report-{row['course_id']}",
            ),
            Column("enrolled", label=_("Enrolled")),
            Column("in_progress", label=_("In progress")),
            Column("completed", label=_("Completed")),
            Column("withdrawn", label=_("Withdrawn")),
            Column("completion_rate", label=_("Completion rate"), accessor=_completed_percent),
            Column(
                "median_days_to_complete", label=_("Median days to complete"), accessor=_median_days
            ),
        ]

    def get_queryset(self):
        return selectors.course_reports()


class CourseReportViewSet(ViewSet):
    name = "course_report"
    url_prefix = "course-report"
    icon = "table"
    menu_label = _("Course report")

    @cached_property
    def menu_item_class(self):
        class CourseReportMenuItem(MenuItem):
            def is_shown(self, request):
                policy = policy_registry.get_by_type(Enrolment)
                return policy.user_has_permission(request.user, "view")

        return CourseReportMenuItem

    def get_urlpatterns(self):
        return [
            path("", CourseReportView.as_view(), name="index"),
            path("results/", CourseReportView.as_view(results_only=True), name="results"),
        ]


class LearningRecordsViewSetGroup(ViewSetGroup):
    menu_label = _("Learning records")
    menu_icon = "clipboard-list"
    menu_order = 220
    menu_hook = IMH_LEARNING_MENU_ITEMS
    items = (EnrolmentViewSet, CourseReportViewSet)


VIEWSETS: list = [LearningRecordsViewSetGroup()]
