"""How a person is named on pages, in emails, listings and certificates, in one place."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet


def _squeeze(text: str | None) -> str:
    return " ".join((text or "").split())


def person_name(user: Any, *, email_fallback: bool = True) -> str:
    """A person's name: their profile's full name, then the account's name, then their email
    address (unless ``email_fallback`` is off), then their username; "" for no one.

    The profile belongs to the accounts app, which a host site may leave out, and a person
    may not have one yet (a missing one-to-one raises a subclass of ``AttributeError``).
    Public pages (a certificate, its verification page) turn ``email_fallback`` off: an
    address must never be printed where anyone can read it.
    """
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    name = _squeeze(getattr(profile, "full_name", ""))
    name = name or _squeeze(user.get_full_name())
    if not name and email_fallback:
        name = getattr(user, "email", "") or ""
    return name or user.get_username()


def person_name_with_email(user: Any) -> str:
    """ "Name (address)", for staff listings where two people may share a name."""
    if user is None:
        return ""
    name = person_name(user)
    email = getattr(user, "email", "") or ""
    return f"{name} ({email})" if email and email != name else name


def person_name_from(*, full_name: str | None, first_name: str, last_name: str, email: str) -> str:
    """``person_name`` for rows read with ``values()``, where there is no user object."""
    name = _squeeze(full_name) or _squeeze(f"{first_name} {last_name}")
    return name or email


def user_has_profile() -> bool:
    """Whether the user model has a one-to-one ``profile`` (the accounts app's, when installed)."""
    try:
        field = get_user_model()._meta.get_field("profile")
    except FieldDoesNotExist:
        return False
    return bool(field.one_to_one)


def select_people(queryset: QuerySet, *paths: str) -> QuerySet:
    """Join the users at ``paths`` (and their profiles, when there are any) in one query, so
    that naming each one with ``person_name`` costs nothing more."""
    related = list(paths)
    if user_has_profile():
        related += [f"{path}__profile" for path in paths]
    return queryset.select_related(*related)
