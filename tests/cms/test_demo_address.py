"""The demo served at another address: the server, the worker, the printed links and the
Wagtail site record all use the one address in ``WAGTAILADMIN_BASE_URL``."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from wagtail.models import Page, Site

from cms.services import default_site_address_update

SERVE_DEMO = Path(settings.BASE_DIR) / "scripts" / "serve-demo.sh"

# Stands in for the Python interpreter: notes the address each process would be given. The
# server is started last and the script stops the worker and scheduler when it ends, so the
# stand-in server waits (up to five seconds) until those two have noted theirs.
FAKE_PYTHON = """#!/usr/bin/env bash
echo "${WAGTAILADMIN_BASE_URL:-unset} $*" >> "$RUN_LOG"
if [[ $* == *runserver* ]]; then
    for _ in $(seq 50); do
        [[ $(grep -c -E "db_worker|run_scheduler" "$RUN_LOG") -ge 2 ]] && break
        sleep 0.1
    done
fi
"""


def _serve_demo(tmp_path: Path, **env: str) -> list[str]:
    python = tmp_path / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    log = tmp_path / "run.log"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DEMO_ADDRESS", "WAGTAILADMIN_BASE_URL")
    }
    environment.update(env, RUN_LOG=str(log))
    subprocess.run(  # noqa: S603 - a fixed command line
        [shutil.which("bash") or "/bin/bash", str(SERVE_DEMO), str(python)],
        cwd=tmp_path,
        env=environment,
        check=True,
        timeout=30,
        capture_output=True,
    )
    return sorted(log.read_text().splitlines())


def test_serve_demo_tells_every_process_the_default_address(tmp_path):
    assert _serve_demo(tmp_path) == [
        "http://127.0.0.1:8000 manage.py db_worker --queue-name * --interval 1 --no-reload",
        "http://127.0.0.1:8000 manage.py demo_load",
        "http://127.0.0.1:8000 manage.py demo_logins",
        "http://127.0.0.1:8000 manage.py run_scheduler",
        "http://127.0.0.1:8000 manage.py runserver --noreload 127.0.0.1:8000",
    ]


@pytest.mark.parametrize(
    ("address", "base_url"),
    [
        ("127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("localhost:9000", "http://localhost:9000"),
        ("8081", "http://127.0.0.1:8081"),
        ("0.0.0.0:8000", "http://127.0.0.1:8000"),
        ("[::1]:8000", "http://[::1]:8000"),
    ],
)
def test_serve_demo_passes_demo_address_to_django(tmp_path, address, base_url):
    lines = _serve_demo(tmp_path, DEMO_ADDRESS=address)

    assert len(lines) == 5
    assert all(line.startswith(f"{base_url} manage.py ") for line in lines), lines
    assert f"{base_url} manage.py runserver --noreload {address}" in lines


def test_serve_demo_keeps_an_address_set_already(tmp_path):
    lines = _serve_demo(
        tmp_path, DEMO_ADDRESS="0.0.0.0:8000", WAGTAILADMIN_BASE_URL="https://demo.example.org"
    )

    assert all(line.startswith("https://demo.example.org manage.py ") for line in lines), lines


@pytest.mark.django_db
@override_settings(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8080")
def test_demo_logins_prints_the_sites_address():
    out = StringIO()
    call_command("demo_logins", stdout=out)

    assert "http://127.0.0.1:8080/accounts/login/" in out.getvalue()
    assert ":8000" not in out.getvalue()


@pytest.mark.django_db
@override_settings(WAGTAILADMIN_BASE_URL="http://127.0.0.1:8080")
def test_demo_site_points_pages_full_urls_at_the_address():
    call_command("demo_site")

    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8080)
    home = Page.objects.get(pk=site.root_page_id)
    assert home.full_url == "http://127.0.0.1:8080/"


@pytest.mark.django_db
@override_settings(WAGTAILADMIN_BASE_URL="https://learning.example.org")
def test_demo_load_points_the_site_at_the_address():
    call_command("demo_load", stdout=StringIO())

    site = Site.objects.get(is_default_site=True)
    assert site.root_url == "https://learning.example.org"


@pytest.mark.django_db
class TestDefaultSiteAddress:
    def test_ipv6_host_keeps_its_brackets(self):
        site = default_site_address_update(base_url="http://[::1]:8000")
        assert site.root_url == "http://[::1]:8000"

    def test_https_on_another_port_cannot_be_held(self):
        with pytest.raises(ValidationError, match="port 443"):
            default_site_address_update(base_url="https://learning.example.org:8443")
        assert Site.objects.get(is_default_site=True).port != 8443

    def test_an_address_another_site_has_is_refused(self):
        root = Site.objects.get(is_default_site=True).root_page
        Site.objects.create(hostname="other.example.org", port=80, root_page=root)

        with pytest.raises(ValidationError):
            default_site_address_update(base_url="http://other.example.org")

    def test_the_command_reports_an_address_it_cannot_use(self):
        err = StringIO()
        call_command("demo_site", base_url="https://learning.example.org:8443", stderr=err)
        assert "left as it is" in err.getvalue()


def _dev_allowed_hosts(**env: str) -> list[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DJANGO_ALLOWED_HOSTS", "WAGTAILADMIN_BASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    environment.update(env)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import cms.settings.dev as s; print(','.join(s.ALLOWED_HOSTS))",
        ],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().split(",")


def test_development_settings_answer_on_the_demo_address():
    hosts = _dev_allowed_hosts(WAGTAILADMIN_BASE_URL="http://192.168.1.20:8000")
    assert "192.168.1.20" in hosts
    assert "127.0.0.1" in hosts


def test_development_settings_take_extra_hosts_from_the_environment():
    hosts = _dev_allowed_hosts(DJANGO_ALLOWED_HOSTS="imh.test, other.test")
    assert {"imh.test", "other.test", "localhost"} <= set(hosts)
    assert len(hosts) == len(set(hosts))
