"""What a production deploy relies on: static files collect, and the Redis cache works.

``scripts/deploy-smoke.sh`` (run by CI) does the whole deploy for real: migrate,
collectstatic and pages fetched from gunicorn. These tests pin the parts that broke it.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse
from django.utils.module_loading import import_string

from tests.factories import DEFAULT_PASSWORD, UserFactory

PRODUCTION_ENV = {
    "DJANGO_SECRET_KEY": "a-production-like-secret-key-for-the-test-only",
    "DJANGO_ALLOWED_HOSTS": "learning.example.org",
    "WAGTAILADMIN_BASE_URL": "https://learning.example.org",
}


def _load_production_settings(monkeypatch) -> dict:
    """``cms.settings.production`` as loaded at start-up with the environment as it is now.

    The settings read the environment when imported, so ``base`` is imported afresh too; the
    modules the running tests use are put back afterwards.
    """
    import cms.settings

    for name in ("cms.settings.base", "cms.settings.production"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    for name in ("base", "production"):
        monkeypatch.delattr(cms.settings, name, raising=False)
    return vars(importlib.import_module("cms.settings.production"))


@pytest.fixture
def production_settings(monkeypatch) -> dict:
    """The production settings as a deploy with the required variables loads them."""
    for name, value in PRODUCTION_ENV.items():
        monkeypatch.setenv(name, value)
    return _load_production_settings(monkeypatch)


def _collect(storage_class, root: Path, files: dict[str, Path]) -> dict[str, str]:
    """Copy ``files`` into ``root`` and post-process them as ``collectstatic`` does."""
    for name, source in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    storage = storage_class(location=root, base_url="/static/")
    hashed = {}
    for name, hashed_name, processed in storage.post_process(
        {name: (storage, name) for name in files}
    ):
        if isinstance(processed, Exception):
            raise processed
        if not hashed_name.endswith((".gz", ".br")):  # WhiteNoise's compressed copies
            hashed[name] = hashed_name
    return hashed


def test_production_static_storage_collects_the_nhsuk_frontend(production_settings, tmp_path):
    """The package's CSS and JS name source maps it does not ship; collecting must not fail."""
    storage_class = import_string(production_settings["STORAGES"]["staticfiles"]["BACKEND"])
    names = [
        "wagtailnhsukfrontend/css/nhsuk-frontend-10.4.2.min.css",
        "wagtailnhsukfrontend/js/nhsuk-frontend-10.4.2.min.js",
    ]
    files = {}
    for name in names:
        found = finders.find(name)
        if found is None:
            pytest.fail(f"{name} is not installed; update the test to the package's version.")
        files[name] = Path(found)
    assert all("sourceMappingURL" in path.read_text() for path in files.values())

    hashed = _collect(storage_class, tmp_path, files)

    for name in names:
        collected = (tmp_path / hashed[name]).read_text()
        assert hashed[name] != name
        assert "sourceMappingURL" not in collected, "the dangling reference is dropped"
        assert (tmp_path / f"{hashed[name]}.gz").exists(), "WhiteNoise still compresses"


def test_source_maps_that_exist_are_still_hashed(production_settings, tmp_path):
    storage_class = import_string(production_settings["STORAGES"]["staticfiles"]["BACKEND"])
    source = tmp_path / "source"
    source.mkdir()
    (source / "site.css").write_text("body{color:red}\n/*# sourceMappingURL=site.css.map */\n")
    (source / "site.css.map").write_text('{"version":3,"sources":[],"mappings":""}')

    hashed = _collect(
        storage_class,
        tmp_path / "static",
        {"css/site.css": source / "site.css", "css/site.css.map": source / "site.css.map"},
    )

    collected = (tmp_path / "static" / hashed["css/site.css"]).read_text()
    map_name = Path(hashed["css/site.css.map"]).name
    assert map_name != "site.css.map"
    assert f"/*# sourceMappingURL={map_name} */" in collected


def test_other_missing_references_still_fail_the_deploy(production_settings, tmp_path):
    """Only source maps are forgiven: a missing image or font is a real fault."""
    storage_class = import_string(production_settings["STORAGES"]["staticfiles"]["BACKEND"])
    source = tmp_path / "site.css"
    source.write_text("body{background:url(missing.png)}\n")

    with pytest.raises(ValueError, match=r"missing\.png"):
        _collect(storage_class, tmp_path / "static", {"css/site.css": source})


def test_production_settings_need_their_variables(monkeypatch):
    for name in PRODUCTION_ENV:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SECRET_KEY"):
        _load_production_settings(monkeypatch)


def test_production_settings_use_redis_when_redis_url_is_set(monkeypatch):
    for name, value in {**PRODUCTION_ENV, "REDIS_URL": "redis://127.0.0.1:6379/3"}.items():
        monkeypatch.setenv(name, value)
    settings = _load_production_settings(monkeypatch)

    cache = settings["CACHES"]["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == "redis://127.0.0.1:6379/3"
    # The backend's client library is a dependency: without it every request fails.
    import_string(cache["BACKEND"])(cache["LOCATION"], {})._cache.get_client()


def _redis_url() -> str:
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def _redis_reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_cache():
    """The site's cache on a real Redis server, under a key prefix of this test's own."""
    url = _redis_url()
    if not _redis_reachable(url):
        pytest.skip(f"No Redis server at {url} (set REDIS_URL to run this test).")
    prefix = f"test-{uuid.uuid4().hex}"
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    with override_settings(CACHES=caches):
        from django.core.cache import cache

        client = cache._cache.get_client(write=True)
        try:
            yield client, prefix
        finally:
            for key in client.scan_iter(match=f"{prefix}:*"):
                client.delete(key)


@pytest.mark.django_db
def test_login_rate_limit_works_on_redis(redis_cache, client):
    redis, prefix = redis_cache
    user = UserFactory()
    login = reverse("account_login")

    for _ in range(5):
        response = client.post(login, {"login": user.email, "password": "wrong-password-1"})
        assert response.status_code == 200
        assert b"The email address or password is not correct" in response.content
    assert list(redis.scan_iter(match=f"{prefix}:*")), "the counters are kept in Redis"

    response = client.post(login, {"login": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 200
    assert b"There have been too many attempts to log in" in response.content
    assert "_auth_user_id" not in client.session
