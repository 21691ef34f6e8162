"""Template helpers that render Django and allauth forms as NHS.UK design-system markup."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms, template
from django.forms.boundfield import BoundField
from django.urls import reverse
from django.utils.safestring import SafeString

register = template.Library()

# allauth's labels are in Title Case; NHS.UK content uses sentence case and plain words.
_ALLAUTH_LABELS = {
    "Current Password": "Current password",
    "New Password": "New password",
    "New Password (again)": "Confirm new password",
    "Password (again)": "Confirm password",
    "Remember Me": "Remember me on this device",
    "Email": "Email address",
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
    return _ALLAUTH_LABELS.get(str(label), str(label))


@register.simple_tag
def account_crumbs(*, manage: bool = False) -> list[tuple[str, str]]:
    """Breadcrumbs for allauth's pages: Home, then the account home for signed-in pages."""
    crumbs = [("Home", "/")]
    if manage:
        crumbs.append(("Your account", reverse("imh_accounts:dashboard")))
    return crumbs


@register.filter
def field_kind(field: BoundField) -> str:
    widget = field.field.widget
    if widget.is_hidden:
        return "hidden"
    # CheckboxSelectMultiple subclasses RadioSelect, so it is tested first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


@register.filter
def field_anchor(field: BoundField) -> str:
    """The id an error summary link should jump to: the first input of a group."""
    if field_kind(field) in {"radios", "checkboxes"}:
        return f"{field.auto_id}_0"
    return field.id_for_label


@register.filter
def first_field_anchor(form: forms.BaseForm) -> str:
    for field in form.visible_fields():
        return field_anchor(field)
    return ""


@register.filter
def described_by(field: BoundField) -> str:
    """Ids of the hint and error message, as Django names them (``<id>_helptext``/``_error``)."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    return " ".join(ids)


@register.simple_tag
def nhsuk_widget(field: BoundField) -> SafeString:
    """The field's widget with NHS.UK classes; placeholders are dropped (NHS.UK uses hints)."""
    kind = field_kind(field)
    classes = {
        "input": ("nhsuk-input", "nhsuk-input--error"),
        "select": ("nhsuk-select", "nhsuk-select--error"),
        "textarea": ("nhsuk-textarea", "nhsuk-textarea--error"),
        "checkbox": ("nhsuk-checkboxes__input", ""),
    }.get(kind, ("", ""))
    css = [field.field.widget.attrs.get("class", ""), classes[0]]
    if field.errors:
        css.append(classes[1])
    attrs: dict[str, object] = {
        "class": " ".join(c for c in css if c),
        # Django's attrs template leaves out attributes whose value is False.
        "placeholder": False,
    }
    return field.as_widget(attrs=attrs)


@register.filter
def nhsuk_button_classes(tags: Iterable[str] | None) -> str:
    """allauth button tags (``danger``, ``secondary``...) as NHS.UK button modifiers."""
    tag_set = set(tags or ())
    for names, css in _BUTTON_VARIANTS:
        if tag_set & names:
            return f"nhsuk-button {css}"
    return "nhsuk-button"
