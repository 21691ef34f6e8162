"""System checks for what a host site gives the apps: companion apps and a base template."""

from __future__ import annotations

import contextlib
from typing import Any

from django.apps import apps
from django.core.checks import CheckMessage, Error, Warning
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.template.backends.django import DjangoTemplates
from django.template.base import Template
from django.template.loader_tags import BlockNode, ExtendsNode

from imh_core.conf import imh_setting
from imh_core.context_processors import DEFAULT_BASE_TEMPLATE

CONTEXT_PROCESSOR = "imh_core.context_processors.imh"
# The blocks of a plain `wagtail start` project's base.html that the layout fills.
CONTENT_BLOCK = "content"
ASSET_BLOCKS = ("extra_css", "extra_js")


def _django_engines() -> list[DjangoTemplates]:
    return [engine for engine in engines.all() if isinstance(engine, DjangoTemplates)]


def _block_names(template: Template, seen: set[str] | None = None) -> set[str]:
    """Every block a template defines, with those of the templates it extends by name."""
    seen = seen if seen is not None else set()
    names = {node.name for node in template.nodelist.get_nodes_by_type(BlockNode)}
    for node in template.nodelist.get_nodes_by_type(ExtendsNode):
        parent = node.parent_name.var
        # A parent named by a variable is only known when a page renders.
        if isinstance(parent, str) and parent not in seen:
            seen.add(parent)
            # A missing parent is reported when a page renders; the blocks seen so far stand.
            with contextlib.suppress(TemplateDoesNotExist, TemplateSyntaxError):
                names |= _block_names(template.engine.get_template(parent), seen)
    return names


def base_template_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The base template loads, the pages can see the setting, and it has the blocks."""
    name = imh_setting("BASE_TEMPLATE")
    messages: list[CheckMessage] = []
    django_engines = _django_engines()
    if name != DEFAULT_BASE_TEMPLATE and not any(
        CONTEXT_PROCESSOR in engine.engine.context_processors for engine in django_engines
    ):
        messages.append(
            Error(
                f"IMH_BASE_TEMPLATE is {name!r}, but the apps' pages cannot see it: the "
                "context processor that passes it to them is missing, so they would use "
                "the built-in base template instead.",
                hint=f'Add "{CONTEXT_PROCESSOR}" to OPTIONS["context_processors"] of the '
                "DjangoTemplates entry in TEMPLATES.",
                id="imh_core.E001",
            )
        )
    template = None
    problems = []
    for engine in django_engines:
        try:
            template = engine.engine.get_template(name)
            break
        except TemplateDoesNotExist:
            continue
        except TemplateSyntaxError as exc:
            problems.append(str(exc))
            break
    if template is None:
        reason = problems[0] if problems else "no template directory or app has it"
        messages.append(
            Error(
                f"IMH_BASE_TEMPLATE names {name!r}, which cannot be loaded ({reason}). "
                "Every page of the apps would fail.",
                hint="Set IMH_BASE_TEMPLATE to the site's base template, as "
                '{% extends %} would name it (for example "base.html"), or leave it out '
                "to use the built-in one.",
                id="imh_core.E002",
            )
        )
        return messages
    blocks = _block_names(template)
    if CONTENT_BLOCK not in blocks:
        messages.append(
            Error(
                f"IMH_BASE_TEMPLATE {name!r} has no {{% block {CONTENT_BLOCK} %}}, where the "
                "apps put their pages: they would render empty.",
                hint=f"Add {{% block {CONTENT_BLOCK} %}}{{% endblock %}} inside <body>.",
                id="imh_core.E003",
            )
        )
    missing = [block for block in ASSET_BLOCKS if block not in blocks]
    if missing:
        messages.append(
            Warning(
                f"IMH_BASE_TEMPLATE {name!r} has no "
                + " or ".join(f"{{% block {block} %}}" for block in missing)
                + ": the apps' pages will lack the styles or scripts they add there (their own, "
                "and the NHS.UK frontend's unless IMH_LOAD_NHSUK_ASSETS is False).",
                hint="Add {% block extra_css %}{% endblock %} at the end of <head> and "
                "{% block extra_js %}{% endblock %} at the end of <body>.",
                id="imh_core.W001",
            )
        )
    return messages


# The apps the pages, forms and sign-in are built on (docs/install.md, step 2).
REQUIRED_APPS = (
    ("wagtailnhsukfrontend", "the NHS.UK design system's templates and assets"),
    ("wagtailnhsukfrontend.forms", "the NHS.UK form renderer"),
    ("wagtail.contrib.settings", "what wagtailnhsukfrontend's header and footer read"),
    ("allauth", "signing in and up with a verified email address"),
    ("allauth.account", "signing in and up with a verified email address"),
)


def installed_apps() -> list[str]:
    """The installed apps' names, in INSTALLED_APPS order."""
    return [config.name for config in apps.get_app_configs()]


def companion_apps_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Name each app the IMH apps need that the site has not installed, before a page 500s."""
    installed = installed_apps()
    messages: list[CheckMessage] = [
        Error(
            f"IMH Learning needs {name!r} in INSTALLED_APPS ({purpose}).",
            hint="docs/install.md, step 2, lists the apps to add.",
            id="imh_core.E004",
        )
        for name, purpose in REQUIRED_APPS
        if name not in installed
    ]
    if (
        "imh_accounts" in installed
        and "allauth" in installed
        and installed.index("imh_accounts") > installed.index("allauth")
    ):
        messages.append(
            Warning(
                "imh_accounts comes after allauth in INSTALLED_APPS, so allauth's own "
                "sign-in and sign-up templates win over the apps' NHS.UK ones.",
                hint='Put "imh_accounts" above "allauth".',
                id="imh_core.W002",
            )
        )
    return messages
