"""Fixtures shared by the whole suite."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and cached settings must not leak from one test to the next."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request made in Welsh leaves Welsh active on
    the thread (LocaleMiddleware activates it and nothing switches it back)."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language.

    LocaleMiddleware activates the language of each request (a Welsh test asks in Welsh) and
    leaves it active in the thread, where a later test rendering outside a request would find it.
    """
    yield
    translation.deactivate()


@pytest.fixture
def password() -> str:
    return "correct-horse-battery-staple"


@pytest.fixture
def only_hooks(monkeypatch):
    """Answer a named hook with just the functions given (or nothing at all), for one test.

    Wagtail can add a hook function for a while (``hooks.register_temporarily``) but not hide
    the ones the apps registered, so this swaps the hook's list in Wagtail's registry.
    """
    from wagtail import hooks

    def replace(name: str, *functions) -> None:
        hooks.search_for_hooks()  # or a later first search would add the apps' functions back
        monkeypatch.setitem(hooks._hooks, name, [(function, 0) for function in functions])

    return replace


@pytest.fixture(scope="session", autouse=True)
def _serialized_contents_for_every_connection(django_db_setup, django_db_blocker):
    """Keep the migrated data restorable after transactional (browser) tests flush it.

    Django keeps the snapshot taken at set-up on the connection object, but Playwright's sync
    API switches greenlets, and Django's connections are context-local, so a test can get a
    fresh connection object without the snapshot; TransactionTestCase then restores nothing.
    Putting the snapshot on the wrapper class makes every connection object see it.
    """
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents:
            type(connections[alias])._test_serialized_contents = contents


def pytest_collection_modifyitems(items):
    """Every transactional test restores the migrated data afterwards.

    A transactional test empties the database when it ends; without ``serialized_rollback``
    Django then recreates content types in a different order from the migrations, and the
    next test that restores the snapshot fails on duplicate content types. So any
    ``django_db(transaction=True)`` test gets ``serialized_rollback=True`` too.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("transaction"):
            continue
        if "serialized_rollback" in marker.kwargs:
            continue
        item.add_marker(
            pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True),
            append=False,
        )
