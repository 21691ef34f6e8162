"""Showing a service's refusal on the form that asked for it."""

from __future__ import annotations

from collections.abc import Collection

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(
    form: forms.Form, error: ValidationError, *, form_wide: Collection[str] = ()
) -> None:
    """Put a service's ``ValidationError`` on ``form``: each message on the field it names
    when the form has that field, otherwise on the form as a whole.

    Services validate the model (``full_clean``), so their errors name model fields; a form
    that shows a field under another meaning lists it in ``form_wide`` to keep its errors
    off that field.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        on_field = field in form.fields and field not in form_wide
        form.add_error(field if on_field else None, errors)
