"""Users, profiles and clients for the accounts tests, and a way to register privacy hooks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from wagtail import hooks

from imh_core.hooks import IMH_USER_DATA_ERASERS, IMH_USER_DATA_EXPORTERS
from tests.accounts.factories import ProfileFactory
from tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory(username="alex", email="alex@example.org", first_name="", last_name="")


@pytest.fixture
def profile(user):
    return ProfileFactory(user=user, full_name="Alex Smith")


@pytest.fixture
def logged_in_client(client, user):
    client.force_login(user)
    return client


def _temporary_answers(hook: str) -> Iterator[Callable[[str, Callable], None]]:
    """Answer ``hook`` with ``(name, function)`` for one test only."""
    with ExitStack() as stack:

        def register(name: str, function: Callable) -> None:
            stack.enter_context(hooks.register_temporarily(hook, lambda: (name, function)))

        yield register


@pytest.fixture
def register_exporter() -> Iterator[Callable[[str, Callable[[Any], Any]], None]]:
    """Add a section to the data export for one test only."""
    yield from _temporary_answers(IMH_USER_DATA_EXPORTERS)


@pytest.fixture
def register_eraser() -> Iterator[Callable[[str, Callable[[Any], None]], None]]:
    """Add an eraser to account deletion for one test only."""
    yield from _temporary_answers(IMH_USER_DATA_ERASERS)
