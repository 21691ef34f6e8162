"""Wagtail admin for educators and administrators: supervision pairs, and sessions.

Sessions are listed with their dates, durations, kinds and whether they are confirmed; the
admin never shows or exports their reflective content, and cannot add or change sessions
(only the people in them can, on the site).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permission_policies import ModelPermissionPolicy

from imh_core.hooks import IMH_LEARNING_MENU_ITEMS
from imh_core.people import person_name, select_people
from imh_core.views import SpreadsheetSafeIndexView
from imh_supervision.models import SupervisionPair, SupervisionSession


class _PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{person_name(obj)} ({obj.email})"


class SupervisionPairAdminForm(forms.ModelForm):
    """The model's ``clean`` checks both people are active members (the supervisor named)."""

    supervisor = _PersonField(
        label=_("Supervisor"), queryset=get_user_model().objects.order_by("email")
    )
    supervisee = _PersonField(
        label=_("Supervisee"), queryset=get_user_model().objects.order_by("email")
    )

    class Meta:
        model = SupervisionPair
        fields = ["organisation", "supervisor", "supervisee", "starts_on", "ends_on", "is_active"]


class PairIndexView(SpreadsheetSafeIndexView):
    def get_base_queryset(self):
        queryset = super().get_base_queryset().select_related("organisation")
        return select_people(queryset, "supervisor", "supervisee")


class SupervisionPairViewSet(ModelViewSet):
    model = SupervisionPair
    name = "supervision_pairs"
    url_prefix = "supervision-pairs"
    icon = "group"
    menu_label = _("Pairs")
    index_view_class = PairIndexView
    form_fields = ["organisation", "supervisor", "supervisee", "starts_on", "ends_on", "is_active"]
    copy_view_enabled = False
    list_display = [
        Column("supervisor", label=_("Supervisor"), accessor=lambda p: person_name(p.supervisor)),
        Column("supervisee", label=_("Supervisee"), accessor=lambda p: person_name(p.supervisee)),
        "organisation",
        "starts_on",
        "ends_on",
        "is_active",
    ]
    list_filter = ["organisation", "is_active"]
    list_export = [
        "supervisor.email",
        "supervisee.email",
        "organisation.name",
        "starts_on",
        "ends_on",
        "is_active",
    ]
    search_fields = [
        "supervisor__email",
        "supervisor__first_name",
        "supervisor__last_name",
        "supervisee__email",
        "supervisee__first_name",
        "supervisee__last_name",
        "organisation__name",
    ]
    search_backend_name = None
    ordering = ["-is_active", "-starts_on"]

    def get_form_class(self, for_update: bool = False):
        return SupervisionPairAdminForm


class SessionPermissionPolicy(ModelPermissionPolicy):
    """Sessions may only be viewed (listed) here; the people in them change them on the site."""

    def user_has_permission(self, user, action: str) -> bool:
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action == "view"]
        if not actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(actions)


class SessionIndexView(SpreadsheetSafeIndexView):
    def get_base_queryset(self):
        # The reflective fields are never even read from the database here.
        queryset = (
            super()
            .get_base_queryset()
            .defer("notes", "themes", "themes_other")
            .select_related("organisation")
        )
        return select_people(queryset, "supervisor")


def _status(session: SupervisionSession) -> str:
    return str(_("Confirmed") if session.is_confirmed else _("Not yet confirmed"))


class SupervisionSessionViewSet(ModelViewSet):
    model = SupervisionSession
    name = "supervision_sessions"
    url_prefix = "supervision-sessions"
    icon = "date"
    menu_label = _("Sessions")
    index_view_class = SessionIndexView
    # Edit and add are refused by the permission policy; the form names no reflective field.
    form_fields = ["held_on"]
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = [
        "held_on",
        "kind",
        "duration_minutes",
        Column("hours", label=_("Hours"), accessor="hours"),
        Column("supervisor", label=_("Supervisor"), accessor=lambda s: person_name(s.supervisor)),
        "organisation",
        Column("status", label=_("Status"), accessor=_status),
    ]
    list_filter = ["organisation", "kind", "held_on"]
    list_export = [
        "held_on",
        "kind",
        "duration_minutes",
        "hours",
        "supervisor.email",
        "organisation.name",
        "confirmed_at",
    ]
    search_fields = ["supervisor__email", "supervisor__last_name", "organisation__name"]
    search_backend_name = None
    ordering = ["-held_on"]


class SupervisionViewSetGroup(ModelViewSetGroup):
    menu_label = _("Supervision")
    menu_icon = "group"
    menu_order = 320
    menu_hook = IMH_LEARNING_MENU_ITEMS
    items = (SupervisionPairViewSet, SupervisionSessionViewSet)
