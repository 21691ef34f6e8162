"""Forms that parse what people type; the services decide what it means."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from wagtail.admin.forms import WagtailAdminModelForm

from imh_organisations.models import Membership, Organisation

ROLE_HELP = (
    "Staff take training. Managers can also approve requests, invite people and change roles."
)


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label="Join code",
        help_text="8 letters and numbers, for example ABCD-2345. Ask your manager for it.",
        max_length=32,
        error_messages={
            "required": "Enter the join code your organisation gave you.",
            "max_length": "A join code is 8 letters and numbers. Check the code and try again.",
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
        label="Email address",
        help_text="We will email a link to this address. The person must use it to log in.",
        error_messages={
            "required": "Enter an email address.",
            "invalid": "Enter an email address in the correct format, like name@example.com.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = forms.ChoiceField(
        label="Role",
        help_text=ROLE_HELP,
        choices=Membership.Role.choices,
        initial=Membership.Role.STAFF,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose staff or manager."},
    )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Role",
        help_text=ROLE_HELP,
        choices=Membership.Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose staff or manager."},
    )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Attach a service's ValidationError to the form fields it names, the rest to the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


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
