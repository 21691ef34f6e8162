"""The apps' pages extend IMH_BASE_TEMPLATE through imh_core/layout.html, styled by NHS.UK."""

from __future__ import annotations

import copy

import pytest
from django.conf import settings as django_settings
from django.core import checks
from django.test import override_settings
from django.urls import reverse

from imh_core import checks as checks_module
from imh_core.checks import REQUIRED_APPS, base_template_check, companion_apps_check
from imh_core.hooks import IMH_SITE_IDENTITY
from tests.certificates.factories import CertificateFactory
from tests.courses.factories import create_course
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NHSUK_CSS = "/static/wagtailnhsukfrontend/css/nhsuk-frontend-10.4.2.min.css"
NHSUK_JS = "/static/imh_core/js/nhsuk.js"
APPS_CSS = "/static/imh_core/css/imh.css"
HOST_CSS = "/static/css/hostsite.css"
REFERENCE_SITE_CSS = "/static/cms/css/site.css"


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def in_the_host(settings) -> None:
    """A site whose own base template is a plain `wagtail start` one."""
    settings.IMH_BASE_TEMPLATE = "host_site/base.html"
    settings.IMH_LOAD_NHSUK_ASSETS = True


@pytest.fixture
def trainee():
    return UserFactory()


@pytest.fixture
def pages(client, trainee) -> dict[str, str]:
    """One page of each kind: a Wagtail page, a public view, a signed-in view, allauth's."""
    course = create_course(title="Attunement basics", modules=1, lessons_per_module=1)
    certificate = CertificateFactory()
    client.force_login(trainee)
    return {
        "course": course.url,
        "verify form": reverse("imh_certificates:verify"),
        "verify code": reverse("imh_certificates:verify_code", args=[certificate.code]),
        "my learning": reverse("imh_courses:my_learning"),
        "account email": reverse("account_email"),
    }


@pytest.mark.parametrize(
    "name", ["course", "verify form", "verify code", "my learning", "account email"]
)
def test_pages_render_inside_the_host_base_template_with_nhsuk_styles(
    in_the_host, client, pages, name
):
    html = _html(client.get(pages[name]))
    assert 'class="host-site' in html, "the host's own base template"
    assert HOST_CSS in html
    assert REFERENCE_SITE_CSS not in html
    assert html.count(f'href="{NHSUK_CSS}"') == 1
    assert html.count(f'src="{NHSUK_JS}"') == 1
    assert f'href="{APPS_CSS}"' in html
    # The layout's frame, inside the host's content block.
    assert '<div class="nhsuk-width-container">' in html
    assert html.count('id="maincontent"') == 1
    # The NHS.UK CSS comes before the host's closing </head>, the script after its own.
    assert html.index(NHSUK_CSS) < html.index("</head>")
    assert html.index("js/hostsite.js") < html.index(NHSUK_JS) < html.index("</body>")


def test_a_form_in_the_host_is_the_apps_own_nhsuk_form(in_the_host, client, pages):
    html = _html(client.get(pages["verify form"], {"code": "nonsense"}))
    assert 'class="nhsuk-error-summary"' in html
    assert 'class="nhsuk-input' in html


def test_breadcrumbs_and_messages_render_in_the_layout(in_the_host, client, pages):
    from imh_courses.models import CoursePage

    course = CoursePage.objects.get(title="Attunement basics")
    # Enrolling says so in a message on the next page, the course.
    response = client.post(reverse("imh_courses:enrol", args=[course.pk]), follow=True)
    html = _html(response)
    assert "nhsuk-notification-banner--success" in html[html.index('id="maincontent"') :]
    html = _html(client.get(pages["my learning"]))
    assert 'class="nhsuk-breadcrumb"' in html
    assert html.index('class="nhsuk-breadcrumb"') < html.index('id="maincontent"')


def test_host_may_load_the_nhsuk_frontend_itself(in_the_host, client, pages, settings):
    settings.IMH_LOAD_NHSUK_ASSETS = False
    html = _html(client.get(pages["verify form"]))
    assert NHSUK_CSS not in html
    assert NHSUK_JS not in html
    assert f'href="{APPS_CSS}"' in html, "the apps' own CSS still loads"


def test_without_the_setting_pages_use_the_built_in_nhsuk_base(client, pages, settings):
    del settings.IMH_BASE_TEMPLATE
    del settings.IMH_LOAD_NHSUK_ASSETS
    html = _html(client.get(pages["my learning"]))
    assert 'class="nhsuk-template"' in html
    assert 'class="nhsuk-skip-link"' in html
    assert 'class="nhsuk-footer"' in html
    assert REFERENCE_SITE_CSS not in html
    assert HOST_CSS not in html
    # The built-in base loads the design system once; the layout does not add it again.
    assert html.count(NHSUK_CSS) == 1
    assert html.count(NHSUK_JS) == 1
    assert html.count('id="maincontent"') == 1
    assert f'href="{APPS_CSS}"' in html


def test_the_built_in_base_names_the_wagtail_site(client, pages, settings, only_hooks):
    from wagtail.models import Site

    del settings.IMH_BASE_TEMPLATE
    settings.IMH_SUPPORT_EMAIL = "help@example.org"
    only_hooks(IMH_SITE_IDENTITY)
    Site.objects.filter(is_default_site=True).update(site_name="Northshire learning")
    html = _html(client.get(pages["verify form"]))
    assert "\u2013 Northshire learning</title>" in html
    assert 'href="mailto:help@example.org"' in html


def test_a_site_identity_hook_names_the_site(client, pages, settings, only_hooks):
    del settings.IMH_BASE_TEMPLATE
    only_hooks(
        IMH_SITE_IDENTITY,
        lambda request: {},
        lambda request: {"name": "Hook learning", "support_email": "hook@example.org"},
        lambda request: {"name": "Too late"},
    )
    html = _html(client.get(pages["verify form"]))
    assert "Hook learning" in html
    assert "Too late" not in html
    assert 'href="mailto:hook@example.org"' in html


def test_the_reference_site_loads_the_design_system_once(client, pages):
    html = _html(client.get(pages["my learning"]))
    assert REFERENCE_SITE_CSS in html
    assert html.count(NHSUK_CSS) == 1
    assert html.count(NHSUK_JS) == 1
    assert f'href="{APPS_CSS}"' in html
    assert html.count('id="maincontent"') == 1


# System checks.


def _ids(messages) -> list[str]:
    return [message.id for message in messages]


def test_the_reference_site_passes_the_checks():
    assert base_template_check() == []


def _templates_without_the_context_processor() -> list[dict]:
    templates = copy.deepcopy(django_settings.TEMPLATES)
    processors = templates[0]["OPTIONS"]["context_processors"]
    processors.remove("imh_core.context_processors.imh")
    return templates


def test_a_base_template_the_pages_cannot_see_is_an_error():
    with override_settings(TEMPLATES=_templates_without_the_context_processor()):
        assert _ids(base_template_check()) == ["imh_core.E001"]


def test_without_the_setting_the_context_processor_is_optional(settings):
    del settings.IMH_BASE_TEMPLATE
    with override_settings(TEMPLATES=_templates_without_the_context_processor()):
        assert base_template_check() == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("host_site/missing.html", ["imh_core.E002"]),
        ("host_site/broken.html", ["imh_core.E002"]),
        ("host_site/no_blocks.html", ["imh_core.E003", "imh_core.W001"]),
        ("host_site/base.html", []),
        ("host_site/extends_base.html", []),
    ],
)
def test_the_base_template_must_load_and_have_the_blocks(settings, name, expected):
    settings.IMH_BASE_TEMPLATE = name
    messages = base_template_check()
    assert _ids(messages) == expected
    assert all(name in message.msg for message in messages)


def test_the_check_runs_with_the_templates_checks(settings):
    settings.IMH_BASE_TEMPLATE = "host_site/missing.html"
    messages = checks.run_checks(tags=[checks.Tags.templates])
    assert "imh_core.E002" in _ids(messages)


def test_the_reference_site_has_every_companion_app():
    assert companion_apps_check() == []


@pytest.mark.parametrize("missing", [name for name, _ in REQUIRED_APPS])
def test_a_missing_companion_app_is_named_before_a_page_fails(monkeypatch, missing):
    installed = [app for app in checks_module.installed_apps() if app != missing]
    monkeypatch.setattr(checks_module, "installed_apps", lambda: installed)

    messages = companion_apps_check()

    assert [message.id for message in messages] == ["imh_core.E004"]
    assert repr(missing) in messages[0].msg


def test_allauth_above_the_accounts_app_is_a_warning(monkeypatch):
    installed = [app for app in checks_module.installed_apps() if app != "imh_accounts"]
    installed.insert(installed.index("allauth") + 1, "imh_accounts")
    monkeypatch.setattr(checks_module, "installed_apps", lambda: installed)

    assert [message.id for message in companion_apps_check()] == ["imh_core.W002"]
