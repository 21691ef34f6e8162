"""Wagtail admin for platform administrators: the audit log, mandatory rules and assignments.

The access log is read-only for everyone (superusers, and staff given "Can view access
event"): entries are never added, changed or removed by hand. Assignments are read-only too:
rules and managers make them through the compliance services. Mandatory rules can be added
and changed here, saved through the same services the managers' pages use; they are never
deleted (deactivate them instead, so the assignments they made keep their history).
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.contrib.auth import get_permission_codename, get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from imh_compliance.models import AccessEvent, Assignment, MandatoryRule
from imh_core.formatting import datetime_text
from imh_core.forms import add_service_errors
from imh_core.hooks import IMH_LEARNING_MENU_ITEMS
from imh_core.people import person_name, select_people
from imh_core.views import SpreadsheetSafeIndexView


class LimitedPermissionPolicy(ModelPermissionPolicy):
    """The model's Django permissions, limited to ``allowed`` actions (nobody gets others)."""

    def __init__(self, model, *, allowed: Iterable[str], **kwargs) -> None:
        super().__init__(model, **kwargs)
        self.allowed = frozenset(allowed)

    def user_has_permission(self, user, action: str) -> bool:
        return action in self.allowed and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions: Iterable[str]) -> bool:
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions: Iterable[str]):
        actions = [action for action in actions if action in self.allowed]
        if not actions:
            return get_user_model()._default_manager.none()
        return super().users_with_any_permission(actions)


# Before any viewset asks for these models' policies (Wagtail would otherwise make fallbacks).
register_permission_policy(AccessEvent, LimitedPermissionPolicy(AccessEvent, allowed={"view"}))
register_permission_policy(Assignment, LimitedPermissionPolicy(Assignment, allowed={"view"}))
register_permission_policy(
    MandatoryRule, LimitedPermissionPolicy(MandatoryRule, allowed={"view", "add", "change"})
)


def _when(moment) -> str:
    return datetime_text(moment) if moment else "-"


def _date(value) -> str:
    return date_format(value, "j F Y") if value else "-"


class _ReadOnlyViewSet(ModelViewSet):
    """Index, filters and inspect only: no add, edit, copy or delete."""

    inspect_view_enabled = True
    copy_view_enabled = False
    search_backend_name = None  # not in Wagtail's search index: search the table directly
    allowed_actions: tuple[str, ...] = ("view",)

    def get_permissions_to_register(self):
        codenames = [get_permission_codename(a, self.model_opts) for a in self.allowed_actions]
        return super().get_permissions_to_register().filter(codename__in=codenames)

    def get_urlpatterns(self):
        removed = {"add", "edit", "delete", "copy"}
        return [p for p in super().get_urlpatterns() if p.name not in removed]


# The access log.


class AccessEventViewSet(_ReadOnlyViewSet):
    model = AccessEvent
    name = "compliance_access_events"
    url_prefix = "compliance/access-log"
    icon = "view"
    menu_label = _("Access log")
    index_view_class = SpreadsheetSafeIndexView
    list_display = [
        Column(
            "created_at",
            label=_("When"),
            accessor=lambda e: _when(e.created_at),
            sort_key="created_at",
        ),
        "organisation",
        "viewer_name",
        Column("action", label=_("Action"), accessor="get_action_display"),
        "member_name",
    ]
    list_filter = ["organisation", "action", "created_at"]
    list_export = ["created_at", "organisation", "viewer_name", "action", "member_name", "detail"]
    search_fields = ["viewer_name", "member_name", "organisation__name"]
    ordering = ["-created_at", "-pk"]
    inspect_view_fields = [
        "created_at",
        "organisation",
        "action",
        "viewer_name",
        "viewer",
        "member_name",
        "member",
        "detail",
    ]
    form_fields = ["detail"]  # never used (no add or edit), but ModelViewSet needs it


# Assignments.


def _assignment_item(assignment: Assignment) -> str:
    return assignment.item_title


class AssignmentIndexView(generic.IndexView):
    def get_base_queryset(self):
        queryset = super().get_base_queryset().select_related("organisation", "course", "pathway")
        return select_people(queryset, "user")


class AssignmentViewSet(_ReadOnlyViewSet):
    model = Assignment
    name = "compliance_assignments"
    url_prefix = "compliance/assignments"
    icon = "list-ul"
    menu_label = _("Assignments")
    index_view_class = AssignmentIndexView
    list_display = [
        Column("user", label=_("Person"), accessor=lambda a: person_name(a.user)),
        "organisation",
        Column("item", label=_("Course or pathway"), accessor=_assignment_item),
        Column("due_on", label=_("Due"), accessor=lambda a: _date(a.due_on), sort_key="due_on"),
        Column("source", label=_("How"), accessor="get_source_display"),
        Column(
            "assigned_at",
            label=_("Assigned"),
            accessor=lambda a: _when(a.assigned_at),
            sort_key="assigned_at",
        ),
    ]
    list_filter = ["organisation", "source", "due_on"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "organisation__name"]
    ordering = ["due_on", "pk"]
    inspect_view_fields = [
        "user",
        "organisation",
        "course",
        "pathway",
        "rule",
        "source",
        "due_on",
        "assigned_by",
        "assigned_at",
        "enrolment_problem",
    ]
    form_fields = ["due_on"]  # never used (no add or edit), but ModelViewSet needs it


# Mandatory rules.


class MandatoryRuleAdminForm(WagtailAdminModelForm):
    """A rule's fields; the item and organisation are fixed once the rule exists."""

    class Meta:
        model = MandatoryRule
        fields = [
            "organisation",
            "course",
            "pathway",
            "roles",
            "due_within_days",
            "renewal_days_before_expiry",
            "is_active",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("organisation", "course", "pathway"):
                self.fields[name].disabled = True
                self.fields[name].required = False
        else:
            del self.fields["is_active"]
        self.fields["course"].help_text = gettext("Choose a course or a pathway, not both.")

    def clean(self):
        cleaned = super().clean()
        if not self.instance.pk and bool(cleaned.get("course")) == bool(cleaned.get("pathway")):
            raise forms.ValidationError(gettext("Choose a course or a pathway (one, not both)."))
        return cleaned

    def _post_clean(self) -> None:
        # The services validate the rule; the model form must not (the item is fixed on edit).
        pass


class _RuleServiceMixin:
    log_action_name = ""

    def call_service(self):  # pragma: no cover - each view defines it
        raise ImproperlyConfigured(f"{type(self).__name__} must define call_service().")

    def save_instance(self):
        instance = self.call_service()
        log(instance=instance, action=self.log_action_name, user=self.request.user)
        return instance

    def form_valid(self, form) -> HttpResponse:
        try:
            return super().form_valid(form)
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, ValidationError):
                if hasattr(error, "error_dict") and "item_key" in error.error_dict:
                    # The services name the course or pathway "item_key"; the form, "course".
                    error.error_dict["course"] = error.error_dict.pop("item_key")
                add_service_errors(form, error)
            else:
                form.add_error(None, str(error))
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class MandatoryRuleCreateView(_RuleServiceMixin, generic.CreateView):
    log_action_name = "wagtail.create"

    def call_service(self) -> MandatoryRule:
        from imh_compliance.services.rules import rule_create

        data = self.form.cleaned_data
        item_key = (
            f"course:{data['course'].pk}" if data.get("course") else f"pathway:{data['pathway'].pk}"
        )
        return rule_create(
            organisation=data["organisation"],
            actor=None,  # a platform administrator (the admin log records who)
            item_key=item_key,
            roles=list(data.get("roles") or []),
            due_within_days=data["due_within_days"],
            renewal_days_before_expiry=data["renewal_days_before_expiry"],
        )


class MandatoryRuleEditView(_RuleServiceMixin, generic.EditView):
    log_action_name = "wagtail.edit"

    def call_service(self) -> MandatoryRule:
        from imh_compliance.services.rules import rule_update

        data = self.form.cleaned_data
        return rule_update(
            rule=self.object,
            actor=None,  # a platform administrator (the admin log records who)
            roles=list(data.get("roles") or []),
            due_within_days=data["due_within_days"],
            renewal_days_before_expiry=data["renewal_days_before_expiry"],
            is_active=data.get("is_active", False),
        )


class MandatoryRuleIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("organisation", "course", "pathway")


def _rule_roles(rule: MandatoryRule) -> str:
    from imh_accounts.choices import ProfessionalRole

    if not rule.roles:
        return gettext("All staff")
    labels = dict(ProfessionalRole.choices)
    return ", ".join(str(labels.get(role, role)) for role in rule.roles)


class MandatoryRuleViewSet(ModelViewSet):
    model = MandatoryRule
    name = "compliance_rules"
    url_prefix = "compliance/rules"
    icon = "tasks"
    menu_label = _("Mandatory rules")
    index_view_class = MandatoryRuleIndexView
    add_view_class = MandatoryRuleCreateView
    edit_view_class = MandatoryRuleEditView
    form_fields = MandatoryRuleAdminForm._meta.fields
    inspect_view_enabled = True
    copy_view_enabled = False
    search_backend_name = None
    list_display = [
        Column("item", label=_("Course or pathway"), accessor="item_title"),
        "organisation",
        Column("roles", label=_("Roles"), accessor=_rule_roles),
        "due_within_days",
        "renewal_days_before_expiry",
        "is_active",
    ]
    list_filter = ["organisation", "is_active"]
    search_fields = ["organisation__name", "course__title", "pathway__title"]
    ordering = ["organisation__name", "pk"]
    inspect_view_fields = [
        "organisation",
        "course",
        "pathway",
        "roles",
        "due_within_days",
        "renewal_days_before_expiry",
        "is_active",
        "created_by",
        "created_at",
        "updated_at",
    ]

    def get_form_class(self, for_update: bool = False):
        return MandatoryRuleAdminForm

    def get_permissions_to_register(self):
        codenames = [get_permission_codename(a, self.model_opts) for a in ("view", "add", "change")]
        return super().get_permissions_to_register().filter(codename__in=codenames)

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name not in {"delete", "copy"}]


class ComplianceViewSetGroup(ModelViewSetGroup):
    menu_label = _("Compliance")
    menu_icon = "tasks"
    menu_order = 310
    menu_hook = IMH_LEARNING_MENU_ITEMS
    items = (AccessEventViewSet, MandatoryRuleViewSet, AssignmentViewSet)
