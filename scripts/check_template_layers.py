#!/usr/bin/env python3
"""Checks that templates (and names in Python strings) never link to a higher layer.

import-linter (`lint-imports`) checks Python imports against the layers contract in
pyproject.toml. A template can depend on a higher app without importing anything, by
naming its URLs, templates, static files or template tag libraries, and so can Python code
through ``reverse("imh_x:...")`` or a template name. Such a link breaks as soon as the
higher app is left out of a site, so this script applies the same layers to:

- ``{% url "imh_x:..." %}``, ``{% include "imh_x/..." %}``, ``{% extends "imh_x/..." %}``,
  ``{% static "imh_x/..." %}`` and ``{% load tags_of_imh_x %}`` in each app's templates;
- string literals in each app's Python code that are a URL name (``"imh_x:name"``) or a
  template or static path (``"imh_x/....html"``).

A name belongs to the layer it starts with (``cms/`` belongs to the reference site, on
top). An app may name its own layer or lower ones; the reference site may name anything.

    python scripts/check_template_layers.py [ROOT]     # exits 1 and lists what it finds
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

URL_TAG = re.compile(r"""\{%\s*url\s+(["'])(?P<name>[^"']+)\1""")
TEMPLATE_TAG = re.compile(r"""\{%\s*(?:include|extends)\s+(["'])(?P<name>[^"']+)\1""")
STATIC_TAG = re.compile(r"""\{%\s*static\s+(["'])(?P<name>[^"']+)\1""")
LOAD_TAG = re.compile(r"""\{%\s*load\s+(?P<names>[^%]+?)\s*%\}""")
# In Python: a whole string that is a namespaced URL name or a path to a template or file.
PY_URL_NAME = re.compile(r"(?P<layer>[a-z_]+):[\w-]+")
PY_PATH = re.compile(r"(?P<layer>[a-z_]+)/[\w./-]+\.(?:html|txt|xml|json|css|js|svg|png)")


@dataclass(frozen=True)
class Violation:
    path: Path
    line: int
    layer: str
    target: str
    reference: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.layer} links up to {self.target}: {self.reference}"


def layers_from_pyproject(root: Path) -> list[str]:
    """The layers, top first, from the import-linter contract: one list for both checks."""
    config = tomllib.loads((root / "pyproject.toml").read_text())
    for contract in config["tool"]["importlinter"]["contracts"]:
        if contract["type"] == "layers":
            return list(contract["layers"])
    raise SystemExit("pyproject.toml has no import-linter layers contract.")


def tag_libraries(root: Path, layers: list[str]) -> dict[str, str]:
    """Each template tag library's name and the layer that provides it."""
    libraries = {}
    for layer in layers:
        for module in sorted((root / layer / "templatetags").glob("*.py")):
            if module.stem != "__init__":
                libraries[module.stem] = layer
    return libraries


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def template_references(text: str, libraries: dict[str, str]) -> Iterator[tuple[int, str, str]]:
    """(line, layer named, reference) for every link in a template to a project layer."""
    for pattern in (URL_TAG, TEMPLATE_TAG, STATIC_TAG):
        for match in pattern.finditer(text):
            name = match["name"]
            separator = ":" if pattern is URL_TAG else "/"
            layer = name.split(separator, 1)[0] if separator in name else ""
            yield _line(text, match.start()), layer, match.group(0)
    for match in LOAD_TAG.finditer(text):
        names = match["names"].split()
        # "{% load a b from library %}" loads from the last name only.
        if "from" in names:
            names = names[names.index("from") + 1 :]
        for name in names:
            if name in libraries:
                yield _line(text, match.start()), libraries[name], match.group(0)


def python_references(text: str) -> Iterator[tuple[int, str, str]]:
    """(line, layer named, string) for every string literal naming a URL, template or file."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            for pattern in (PY_URL_NAME, PY_PATH):
                match = pattern.fullmatch(node.value)
                if match:
                    yield node.lineno, match["layer"], repr(node.value)


def violations(root: Path, layers: list[str] | None = None) -> list[Violation]:
    """Every link from an app to a layer above it, in file order."""
    layers = layers or layers_from_pyproject(root)
    rank = {layer: index for index, layer in enumerate(layers)}
    libraries = tag_libraries(root, layers)
    found = []
    # The top layer (the reference site) may name anything, so it is not read at all.
    for layer in layers[1:]:
        package = root / layer
        files = sorted(
            path
            for path in package.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts and "migrations" not in path.parts
        )
        for path in files:
            if path.suffix == ".py":
                references = python_references(path.read_text())
            elif "templates" in path.relative_to(package).parts:
                references = template_references(path.read_text(), libraries)
            else:
                continue
            for line, target, reference in references:
                if target in rank and rank[target] < rank[layer]:
                    found.append(Violation(path.relative_to(root), line, layer, target, reference))
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else Path(__file__).resolve().parent.parent)
    found = violations(root)
    for violation in found:
        print(violation)
    if found:
        print(
            f"{len(found)} link(s) from an app to a higher layer. Pass the URL or name in from "
            "the higher layer (context, a setting or a Wagtail hook in imh_core.hooks) instead."
        )
        return 1
    print("Template and name layers: no app links to a higher layer.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
