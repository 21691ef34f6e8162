"""allauth's and Django's own words on the sign-up, log-in and password pages, for translating.

allauth ships no Welsh catalogue, and Django's leaves its password rules untranslated. Django
looks a message up in every installed app's catalogue, so listing those words here puts them
in this app's, where they are translated with the rest of the trainee journey. Nothing
imports this module: ``makemessages`` reads it.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop, ngettext_lazy

ALLAUTH_WORDS = (
    # Field labels and placeholders (allauth.account.forms and fields).
    gettext_noop("Email"),
    gettext_noop("Email address"),
    gettext_noop("Password"),
    gettext_noop("Password (again)"),
    gettext_noop("Remember Me"),
    gettext_noop("Current Password"),
    gettext_noop("New Password"),
    gettext_noop("New Password (again)"),
    # Errors allauth raises itself (its adapter's, where the site's adapter keeps them).
    gettext_noop("You must type the same password each time."),
    gettext_noop("You cannot remove your primary email address."),
    gettext_noop("This email address is already associated with this account."),
    gettext_noop("A user is already registered with this email address."),
    gettext_noop("This account is currently inactive."),
    # Messages after account changes (allauth's templates/account/messages/).
    gettext_noop("You have confirmed %(email)s."),
    gettext_noop("Removed email address %(email)s."),
    gettext_noop(
        "Unable to confirm %(email)s because it is already confirmed by a different account."
    ),
    gettext_noop("Password successfully changed."),
    gettext_noop("Password successfully set."),
    gettext_noop("Primary email address set."),
    gettext_noop("Your primary email address must be verified."),
)

# Django's password rules (django.contrib.auth.password_validation), as its help texts and
# errors word them (with Django's curly apostrophes, which must match); ngettext_lazy only
# marks the plural pairs, it is never evaluated.
DJANGO_PASSWORD_WORDS = (
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    gettext_noop("Your password can’t be too similar to your other personal information."),  # noqa: RUF001
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be a commonly used password."),  # noqa: RUF001
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be entirely numeric."),  # noqa: RUF001
    gettext_noop("This password is entirely numeric."),
)
