"""Forms for the account pages; they parse and check input, the services do the writing."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.contrib import messages
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from imh_accounts.choices import ProfessionalRole, RegistrationBody
from imh_accounts.models import Profile
from imh_accounts.services import MESSAGE_FULL_NAME_REQUIRED, MESSAGE_ROLE_REQUIRED
from imh_accounts.validators import normalise_registration_number

NOT_REGISTERED = _("I do not have a professional registration")


class ProfileForm(forms.ModelForm):
    """The profile page; the model's ``clean()`` checks the registration rules."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=Profile._meta.get_field("full_name").max_length,
        help_text=_("As it should appear on your certificates, for example Alex Smith."),
        error_messages={
            "required": MESSAGE_FULL_NAME_REQUIRED,
            "max_length": Profile._meta.get_field("full_name").error_messages["max_length"],
        },
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    professional_role = forms.ChoiceField(
        label=_("Professional role"),
        choices=ProfessionalRole.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": MESSAGE_ROLE_REQUIRED,
            "invalid_choice": _("Select your professional role from the list"),
        },
    )
    registration_body = forms.ChoiceField(
        label=_("Professional registration"),
        required=False,
        choices=[("", NOT_REGISTERED), *RegistrationBody.choices],
        help_text=_("Midwives, student midwives and health visitors are registered with the NMC."),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Select who you are registered with from the list")},
    )
    registration_number = forms.CharField(
        label=_("Registration number (optional)"),
        required=False,
        max_length=Profile._meta.get_field("registration_number").max_length,
        help_text=_(
            "For example an NMC PIN like 12A3456E, an HCPC number like PYL12345, "
            "a Social Work England number like SW12345 or a GMC number like 1234567."
        ),
        error_messages={
            "max_length": Profile._meta.get_field("registration_number").error_messages[
                "max_length"
            ],
        },
        widget=forms.TextInput(
            attrs={
                "class": "nhsuk-input--width-10",
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "characters",
            }
        ),
    )
    job_title = forms.CharField(
        label=_("Job title (optional)"),
        required=False,
        max_length=Profile._meta.get_field("job_title").max_length,
        error_messages={
            "max_length": Profile._meta.get_field("job_title").error_messages["max_length"],
        },
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )

    class Meta:
        model = Profile
        fields = [
            "full_name",
            "professional_role",
            "registration_body",
            "registration_number",
            "job_title",
        ]

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_registration_number(self) -> str:
        return normalise_registration_number(self.cleaned_data["registration_number"])

    def clean_job_title(self) -> str:
        return " ".join(self.cleaned_data["job_title"].split())


class AccountDeleteForm(forms.Form):
    """The current password, which ``account_delete`` checks."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        error_messages={"required": _("Enter your password to delete your account")},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form, made to look and take the same whether or not the address is taken.

    With an address that has an account, allauth creates nothing and emails the owner instead.
    That path skipped hashing the password, which is slow on purpose, so it answered about ten
    times faster; and its banner went missing whenever allauth's limit of one email per address
    every few minutes skipped the email. Here both paths hash the password and show one banner.
    """

    def try_save(self, request: HttpRequest) -> tuple[Any, Any]:
        if self.account_already_exists and self.cleaned_data.get("password1"):
            make_password(self.cleaned_data["password1"])  # the same work as a new account
        user, response = super().try_save(request)
        get_adapter().add_message(
            request,
            messages.INFO,
            "account/messages/signup_email_sent.txt",
            {"email": self.cleaned_data.get("email")},
        )
        return user, response
