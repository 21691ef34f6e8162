"""Template helpers that render Django forms as NHS.UK design-system markup."""

from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def field_kind(field: BoundField) -> str:
    """Which NHS.UK component renders the field's widget."""
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
    """Where errors that belong to no one field link to: the form's first visible field."""
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
