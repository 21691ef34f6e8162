"""Users, profiles and clients for the accounts tests, and a way to register privacy hooks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from imh_accounts import privacy
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


@pytest.fixture
def register_exporter(monkeypatch) -> Callable[[str, Callable[[Any], Any]], None]:
    """Register an exporter for one test only."""

    def register(section: str, exporter: Callable[[Any], Any]) -> None:
        monkeypatch.setitem(privacy._exporters, section, exporter)

    return register


@pytest.fixture
def register_eraser(monkeypatch) -> Callable[[str, Callable[[Any], None]], None]:
    """Register an eraser for one test only."""

    def register(name: str, eraser: Callable[[Any], None]) -> None:
        monkeypatch.setitem(privacy._erasers, name, eraser)

    return register
