"""scripts/check_template_layers.py: links from an app to a higher layer without an import."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_template_layers.py"


@pytest.fixture(scope="module")
def checker():
    spec = importlib.util.spec_from_file_location("check_template_layers", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up in sys.modules while the module is being run.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


PYPROJECT = """
[[tool.importlinter.contracts]]
name = "layers"
type = "layers"
layers = ["site", "imh_high", "imh_low"]
"""


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def tree(tmp_path):
    write(tmp_path, "pyproject.toml", PYPROJECT)
    write(tmp_path, "imh_high/templatetags/high_tags.py", "")
    write(tmp_path, "imh_low/templatetags/low_tags.py", "")
    # Links downwards and to the app itself are fine, and so is anything the site links to.
    write(
        tmp_path,
        "imh_high/templates/imh_high/page.html",
        '{% extends "base.html" %}{% load low_tags high_tags %}'
        '{% url "imh_low:home" %}{% include "imh_low/part.html" %}{% url "imh_high:home" %}',
    )
    write(tmp_path, "site/templates/site/page.html", '{% url "imh_high:home" %}')
    write(tmp_path, "imh_low/views.py", 'TEMPLATE = "imh_low/page.html"\n')
    return tmp_path


def test_a_tree_without_upward_links_passes(checker, tree):
    assert checker.violations(tree) == []
    assert checker.main(["check", str(tree)]) == 0


@pytest.mark.parametrize(
    "template",
    [
        "{% url 'imh_high:home' %}",
        '{% include "imh_high/part.html" %}',
        '{% extends "imh_high/base.html" %}',
        "{% static 'imh_high/app.css' %}",
        "{% load high_tags %}",
        "{% load thing from high_tags %}",
        '{% include "site/includes/form.html" %}',
    ],
)
def test_a_template_linking_up_is_reported(checker, tree, template):
    write(tree, "imh_low/templates/imh_low/page.html", f"<p>\n{template}</p>")
    [violation] = checker.violations(tree)
    assert violation.path == Path("imh_low/templates/imh_low/page.html")
    assert violation.line == 2
    assert violation.layer == "imh_low"
    assert violation.target in {"imh_high", "site"}
    assert checker.main(["check", str(tree)]) == 1


@pytest.mark.parametrize("literal", ['"imh_high:home"', '"imh_high/email/body.txt"'])
def test_python_naming_a_higher_url_or_template_is_reported(checker, tree, literal):
    write(tree, "imh_low/views.py", f"from django.urls import reverse\n\nURL = {literal}\n")
    [violation] = checker.violations(tree)
    assert (violation.path, violation.line, violation.target) == (
        Path("imh_low/views.py"),
        3,
        "imh_high",
    )


def test_migrations_and_prose_are_not_links(checker, tree):
    write(tree, "imh_low/migrations/0001_initial.py", 'X = "imh_high/part.html"\n')
    write(tree, "imh_low/views.py", '"""See imh_high:home and imh_high/part.html."""\n')
    assert checker.violations(tree) == []


def test_the_layers_are_the_import_linter_contracts(checker):
    layers = checker.layers_from_pyproject(SCRIPT.parent.parent)
    assert layers[0] == "cms"
    assert layers[-1] == "imh_core"
    assert "imh_learning" in layers
