"""A service's refusal shown on the form that asked for it."""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from imh_core.forms import add_service_errors


class _Form(forms.Form):
    title = forms.CharField()
    member = forms.CharField(required=False)


def _bound() -> _Form:
    form = _Form({"title": "Safeguarding", "member": "7"})
    assert form.is_valid()
    return form


def test_errors_go_on_the_fields_they_name_and_the_rest_on_the_form():
    form = _bound()
    add_service_errors(
        form,
        ValidationError(
            {
                "title": ["Choose another title.", "It is too long."],
                "organisation": "This organisation is closed.",
                NON_FIELD_ERRORS: "Try again later.",
            }
        ),
    )
    assert form.errors["title"] == ["Choose another title.", "It is too long."]
    assert form.non_field_errors() == ["This organisation is closed.", "Try again later."]
    assert "title" not in form.cleaned_data


def test_an_error_without_fields_goes_on_the_form():
    form = _bound()
    add_service_errors(form, ValidationError(["First.", "Second."]))
    assert form.non_field_errors() == ["First.", "Second."]


def test_form_wide_fields_keep_their_errors_off_the_field():
    form = _bound()
    add_service_errors(form, ValidationError({"member": "Ann has left."}), form_wide={"member"})
    assert "member" not in form.errors
    assert form.non_field_errors() == ["Ann has left."]


def test_messages_with_parameters_are_filled_in():
    form = _bound()
    add_service_errors(
        form,
        ValidationError({"title": ValidationError("%(n)s is taken.", params={"n": "Safe"})}),
    )
    assert form.errors["title"] == ["Safe is taken."]
