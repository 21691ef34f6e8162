"""JSON from people and files the site does not control, read without a recursion error.

Python's ``json.loads`` recurses once per nested array or object, so a few kilobytes of
``[[[[...`` raise ``RecursionError`` (a server error) rather than a parse error. Every place
that parses JSON it was sent uses ``json_loads`` here, which measures the nesting first in
one pass without recursion and refuses anything deeper than the caller allows.
"""

from __future__ import annotations

import json
import re
from typing import Any

DEFAULT_MAX_DEPTH = 64

_JSON_SPECIAL = re.compile(r'[\\"\[\]{}]')


class JSONTooDeep(ValueError):
    """The text nests arrays and objects more deeply than allowed."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"nested more than {limit} levels deep")


def nested_deeper_than(text: str, limit: int) -> bool:
    """Whether arrays and objects in ``text`` go more than ``limit`` levels deep.

    One pass without recursion or backtracking; brackets inside strings do not count. It
    reads the text as JSON would up to the first error, so it never lets through more
    nesting than the parser would then meet.
    """
    depth = 0
    in_string = False
    escaped_at = -1
    for match in _JSON_SPECIAL.finditer(text):
        at, char = match.start(), match.group()
        if at == escaped_at:
            continue
        if in_string:
            if char == "\\":
                escaped_at = at + 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def json_loads(text: str, *, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """``json.loads(text)``, raising ``JSONTooDeep`` (a ``ValueError``) for deep nesting.

    Malformed text raises ``json.JSONDecodeError`` as ``json.loads`` does.
    """
    if nested_deeper_than(text, max_depth):
        raise JSONTooDeep(max_depth)
    return json.loads(text)
