"""Forms that parse what people type; the services decide what it means."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from imh_organisations.models import Membership, Organisation

ROLE_HELP = _(
    "Staff take training. Managers can also approve requests, invite people and change roles."
)


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Join code"),
        help_text=_("8 letters and numbers, for example ABCD-2345. Ask your manager for it."),
        max_length=32,
        error_messages={
            "required": _("Enter the join code your organisation gave you."),
            "max_length": _("A join code is 8 letters and numbers. Check the code and try again."),
        },
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "class": "nhsuk-input--width-10",
            }
        ),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("We will email a link to this address. The person must use it to log in."),
        error_messages={
            "required": _("Enter an email address."),
            "invalid": _("Enter an email address in the correct format, like name@example.com."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label=_("Role"),
        help_text=ROLE_HELP,
        choices=Membership.Role.choices,
        initial=Membership.Role.STAFF,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose staff or manager.")},
    )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Role"),
        help_text=ROLE_HELP,
        choices=Membership.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose staff or manager.")},
    )


# Wagtail admin (platform administrators).


class OrganisationAdminForm(WagtailAdminModelForm):
    """Organisation details; saved through the organisation services by the admin views."""

    class Meta:
        model = Organisation
        fields = ["name", "slug", "organisation_type", "ods_code", "is_active"]
        error_messages = {
            "name": {
                "max_length": Organisation._meta.get_field("name").error_messages["max_length"]
            }
        }

    def clean_ods_code(self) -> str:
        return (self.cleaned_data.get("ods_code") or "").strip().upper()


class OrganisationAdminCreateForm(OrganisationAdminForm):
    """The slug is made from the name by ``organisation_create``."""

    class Meta(OrganisationAdminForm.Meta):
        fields = ["name", "organisation_type", "ods_code", "is_active"]


class MembershipAdminCreateForm(WagtailAdminModelForm):
    class Meta:
        model = Membership
        fields = ["user", "organisation", "role"]


class MembershipAdminEditForm(WagtailAdminModelForm):
    class Meta:
        model = Membership
        fields = ["role", "status"]
