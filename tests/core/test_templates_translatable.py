"""Every word a person reads in these templates goes through {% translate %}.

The employer and competency pages, the shared layout and the reference site's own pages are
checked: text outside ``{% translate %}`` / ``{% blocktranslate %}`` (and outside comments,
tags' names and class names) would stay English on a Welsh page.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2]
CHECKED = [
    "imh_core/templates",
    "imh_organisations/templates",
    "imh_compliance/templates",
    "imh_competencies/templates",
    "cms/templates",
]
# Words that are data formats, not prose: the column names a framework CSV must have.
LITERALS = {
    "imh_competencies/templates/imh_competencies/admin/framework_import.html": {
        "Type", "Code", "Name", "Area", "Parent", "Description", "Level 1, Level 2, …",
        "Version, Slug, Publisher, Licence note, Sample", "Levels", "Taxonomies",
        "Crosswalks", "Extra",
    },
}  # fmt: skip
# Attributes people read (or hear from a screen reader).
READ_ATTRIBUTES = re.compile(r'\b(?:aria-label|alt|title|placeholder)="([^"]*)"')
NOT_TEXT_BLOCKS = {"body_class"}


def _templates() -> list[Path]:
    return sorted(
        path
        for folder in CHECKED
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".html", ".txt"}
    )


def untranslated(source: str) -> list[str]:
    """The pieces of text in a template that are not inside a translation tag."""
    translating = comment = skipping = 0
    pieces = []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            bits = token.contents.split()
            name = bits[0] if bits else ""
            translating += {"blocktranslate": 1, "endblocktranslate": -1}.get(name, 0)
            comment += {"comment": 1, "endcomment": -1}.get(name, 0)
            if name == "block" and bits[1:2] and bits[1] in NOT_TEXT_BLOCKS:
                skipping += 1
            elif name == "endblock" and skipping:
                skipping -= 1
            pieces.append("\x00")
        elif token.token_type == TokenType.TEXT and not (translating or comment or skipping):
            pieces.append(token.contents)
        else:
            pieces.append("\x00")
    text = "".join(pieces)
    found = [value for value in READ_ATTRIBUTES.findall(text) if _has_words(value)]
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
    text = re.sub(r"<[^>]*>", "\x00", text)  # tags, attributes and all
    text = re.sub(r"&\w+;", " ", text)
    found += [" ".join(chunk.split()) for chunk in re.split(r"[\x00\n]", text) if _has_words(chunk)]
    return found


def _has_words(text: str) -> bool:
    return bool(re.search(r"[A-Za-z]{2,}", text.replace("\x00", "")))


@pytest.mark.parametrize("path", _templates(), ids=lambda path: str(path.relative_to(ROOT)))
def test_template_text_is_translatable(path):
    name = str(path.relative_to(ROOT))
    left = [text for text in untranslated(path.read_text()) if text not in LITERALS.get(name, ())]
    assert left == []


def test_the_check_finds_text_left_out():
    source = (
        '{% load i18n %}<h1 title="Your gaps">{% translate "Done" %}</h1>'
        "<p>Not translated {{ name }}</p>{% blocktranslate %}Fine {{ x }}{% endblocktranslate %}"
        '{% comment %}Notes for developers{% endcomment %}<span class="nhsuk-tag"></span>'
    )
    assert untranslated(source) == ["Your gaps", "Not translated"]
