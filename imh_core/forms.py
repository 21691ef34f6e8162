"""Form helpers: a service's refusal on the form that asked for it, and a file input for files
kept in private storage."""

from __future__ import annotations

import posixpath
from collections.abc import Collection
from typing import Any

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


class PrivateFileInput(forms.ClearableFileInput):
    """A file input that names the current file without linking to it.

    Django's file input links to the file's URL; private storage has none (its files are
    served only through views that check who asks), so the stock widget fails on an edit
    form. This one shows the file's name and offers a replacement.
    """

    template_name = "imh_core/widgets/private_file_input.html"

    def is_initial(self, value: Any) -> bool:
        # Django asks for the file's URL here, which private storage refuses.
        return bool(value and getattr(value, "name", ""))

    def get_context(self, name: str, value: Any, attrs: dict | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        current = getattr(value, "name", "") or ""
        context["widget"]["file_name"] = posixpath.basename(current)
        return context
