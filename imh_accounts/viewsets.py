"""Wagtail admin for accounts: learner profiles."""

from __future__ import annotations

from django.contrib.auth import get_permission_codename
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet

from imh_accounts.models import Profile
from imh_core.hooks import IMH_LEARNING_MENU_ITEMS


class ProfileViewSet(ModelViewSet):
    """Find a learner's profile by name, email or registration number; no editing here."""

    model = Profile
    icon = "user"
    menu_label = _("Learner profiles")
    menu_hook = IMH_LEARNING_MENU_ITEMS
    menu_order = 900
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "full_name",
        "user__email",
        "professional_role",
        "registration_body",
        "registration_number",
        "updated_at",
    ]
    list_filter = ["professional_role", "registration_body"]
    search_fields = ["full_name", "user__email", "registration_number", "job_title"]
    ordering = ["full_name"]
    inspect_view_fields = [
        "full_name",
        "professional_role",
        "registration_body",
        "registration_number",
        "job_title",
        "created_at",
        "updated_at",
        "deleted_at",
    ]
    # Never used (the permission policy refuses add and change) but ModelViewSet needs it.
    form_fields = [
        "full_name",
        "professional_role",
        "registration_body",
        "registration_number",
        "job_title",
    ]

    def get_permissions_to_register(self):
        # Only "view" means anything under the read-only policy; offer no other to groups.
        view = get_permission_codename("view", self.model_opts)
        return super().get_permissions_to_register().filter(codename=view)

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            queryset=Profile.objects.select_related("user"), **kwargs
        )
