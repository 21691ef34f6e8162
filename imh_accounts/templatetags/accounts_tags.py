"""Template helpers for allauth's pages in NHS.UK style (form fields: imh_core's imh_form_tags)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop

register = template.Library()

# allauth's labels are in Title Case; NHS.UK content uses sentence case and plain words.
# The keys are allauth's own words, which reach this filter already translated: they are
# compared in the active language (allauth ships no Welsh, so this app's catalogue has them).
_ALLAUTH_LABELS = {
    gettext_noop("Current Password"): gettext_noop("Current password"),
    gettext_noop("New Password"): gettext_noop("New password"),
    gettext_noop("New Password (again)"): gettext_noop("Confirm new password"),
    gettext_noop("Password (again)"): gettext_noop("Confirm password"),
    gettext_noop("Remember Me"): gettext_noop("Remember me on this device"),
    gettext_noop("Email"): gettext_noop("Email address"),
}

_BUTTON_VARIANTS = (
    ({"danger", "delete"}, "nhsuk-button--warning"),
    ({"secondary", "outline", "minor", "link", "cancel"}, "nhsuk-button--secondary"),
)


@register.filter
def collapse_whitespace(value: object) -> str:
    """allauth's title blocks are indented over several lines; a <title> wants one."""
    return " ".join(str(value).split())


@register.filter
def allauth_label(label: object) -> str:
    """An allauth field label in NHS.UK style; other labels come back unchanged."""
    text = str(label)
    for allauth_words, ours in _ALLAUTH_LABELS.items():
        if text in (allauth_words, gettext(allauth_words)):
            return gettext(ours)
    return text


@register.simple_tag
def account_crumbs(*, manage: bool = False) -> list[tuple[str, str]]:
    """Breadcrumbs for allauth's pages: Home, then the account home for signed-in pages."""
    crumbs = [(gettext("Home"), "/")]
    if manage:
        crumbs.append((gettext("Your account"), reverse("imh_accounts:dashboard")))
    return crumbs


@register.filter
def nhsuk_button_classes(tags: Iterable[str] | None) -> str:
    """allauth button tags (``danger``, ``secondary``...) as NHS.UK button modifiers."""
    tag_set = set(tags or ())
    for names, css in _BUTTON_VARIANTS:
        if tag_set & names:
            return f"nhsuk-button {css}"
    return "nhsuk-button"
