"""Wagtail admin for platform administrators: organisations and memberships.

The create and edit views save through the organisation services, so the admin keeps the
same rules (fresh join code, normalised ODS code, one current membership) as the site.
Memberships are history and cannot be deleted here; set their status to "Left" instead.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy

from imh_core.forms import add_service_errors
from imh_core.hooks import IMH_LEARNING_MENU_ITEMS
from imh_core.people import person_name, select_people
from imh_core.views import SpreadsheetSafeIndexView
from imh_organisations import services
from imh_organisations.forms import (
    MembershipAdminCreateForm,
    MembershipAdminEditForm,
    OrganisationAdminCreateForm,
    OrganisationAdminForm,
)
from imh_organisations.models import Membership, Organisation


class _ServiceSaveMixin:
    """Save through a service; a ValidationError from it shows on the form, nothing is saved."""

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
                add_service_errors(form, error)
            else:
                form.add_error(None, str(error))
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class OrganisationCreateView(_ServiceSaveMixin, generic.CreateView):
    log_action_name = "wagtail.create"

    def call_service(self) -> Organisation:
        data = self.form.cleaned_data
        return services.organisation_create(
            name=data["name"],
            organisation_type=data["organisation_type"],
            ods_code=data.get("ods_code", ""),
            is_active=data.get("is_active", True),
        )


class OrganisationEditView(_ServiceSaveMixin, generic.EditView):
    log_action_name = "wagtail.edit"

    def call_service(self) -> Organisation:
        data = self.form.cleaned_data
        return services.organisation_update(
            organisation=self.object,
            name=data["name"],
            slug=data["slug"],
            organisation_type=data["organisation_type"],
            ods_code=data.get("ods_code", ""),
            is_active=data.get("is_active", True),
        )


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    # "organisations" is the site's own URL namespace; the admin's gets a name of its own.
    name = "organisations_admin"
    url_prefix = "organisations"
    icon = "group"
    menu_label = _("Organisations")
    index_view_class = SpreadsheetSafeIndexView
    add_view_class = OrganisationCreateView
    edit_view_class = OrganisationEditView
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "name",
        "slug",
        "organisation_type",
        "ods_code",
        "join_code",
        "join_code_expires_at",
        "is_active",
        "created_at",
    ]
    list_display = ["name", "organisation_type", "ods_code", "is_active", "created_at"]
    list_filter = ["organisation_type", "is_active"]
    list_export = ["name", "organisation_type", "ods_code", "is_active", "created_at"]
    search_fields = ["name", "ods_code", "slug"]
    # Organisations are not in Wagtail's search index; search the table directly.
    search_backend_name = None
    ordering = ["name"]

    def get_form_class(self, for_update: bool = False):
        return OrganisationAdminForm if for_update else OrganisationAdminCreateForm


class MembershipPermissionPolicy(ModelPermissionPolicy):
    """The model's Django permissions, except that nobody may delete a membership."""

    def user_has_permission(self, user, action: str) -> bool:
        return action != "delete" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = [action for action in actions if action != "delete"]
        if not actions:
            return get_user_model().objects.none()
        return super().users_with_any_permission(actions)


def _person_name(membership: Membership) -> str:
    return person_name(membership.user)


class MembershipIndexView(SpreadsheetSafeIndexView):
    def get_base_queryset(self):
        queryset = super().get_base_queryset().select_related("organisation")
        return select_people(queryset, "user")


class MembershipCreateView(_ServiceSaveMixin, generic.CreateView):
    log_action_name = "wagtail.create"

    def call_service(self) -> Membership:
        data = self.form.cleaned_data
        return services.membership_create_active(
            organisation=data["organisation"],
            user=data["user"],
            role=data["role"],
            actor=self.request.user,
            source=Membership.Source.ADMIN,
        )


class MembershipEditView(_ServiceSaveMixin, generic.EditView):
    log_action_name = "wagtail.edit"

    def call_service(self) -> Membership:
        data = self.form.cleaned_data
        return services.membership_admin_update(
            membership=self.object,
            role=data["role"],
            status=data["status"],
            actor=self.request.user,
        )


class MembershipViewSet(ModelViewSet):
    model = Membership
    name = "organisation_memberships"
    url_prefix = "organisation-memberships"
    icon = "user"
    menu_label = _("Memberships")
    index_view_class = MembershipIndexView
    add_view_class = MembershipCreateView
    edit_view_class = MembershipEditView
    copy_view_enabled = False
    list_display = [
        "__str__",
        Column("person", label=_("Person"), accessor=_person_name),
        "user__email",
        "organisation",
        "role",
        "is_supervisor",
        "status",
        "source",
        "requested_at",
    ]
    list_filter = ["organisation", "role", "is_supervisor", "status", "source"]
    # Exports follow attributes with dots (list_display and filters use Django's __ lookups).
    list_export = ["user.email", "organisation.name", "role", "status", "source", "requested_at"]
    export_headings = {"user.email": _("Email"), "organisation.name": _("Organisation")}
    search_fields = ["user__email", "user__first_name", "user__last_name", "organisation__name"]
    search_backend_name = None
    ordering = ["-requested_at"]

    def get_form_class(self, for_update: bool = False):
        return MembershipAdminEditForm if for_update else MembershipAdminCreateForm


class OrganisationsViewSetGroup(ModelViewSetGroup):
    menu_label = _("Organisations")
    menu_icon = "group"
    menu_order = 300
    menu_hook = IMH_LEARNING_MENU_ITEMS
    items = (OrganisationViewSet, MembershipViewSet)
