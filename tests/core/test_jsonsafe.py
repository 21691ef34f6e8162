"""JSON nesting is measured before parsing, so hostile input is an error, never a crash."""

from __future__ import annotations

import json

import pytest

from imh_core.jsonsafe import JSONTooDeep, json_loads, nested_deeper_than


def test_ordinary_json_is_parsed():
    assert json_loads('{"a": [1, {"b": "[[[[["}]}') == {"a": [1, {"b": "[[[[["}]}


def test_depth_up_to_the_limit_is_parsed_and_beyond_is_refused():
    assert json_loads("[" * 5 + "]" * 5, max_depth=5) == [[[[[]]]]]
    with pytest.raises(JSONTooDeep, match="nested more than 5 levels deep"):
        json_loads("[" * 6 + "]" * 6, max_depth=5)


def test_nesting_that_would_make_pythons_parser_recurse_too_far_is_a_value_error():
    text = "[" * 200_000
    with pytest.raises(RecursionError):
        json.loads(text)
    with pytest.raises(ValueError, match="nested more than"):
        json_loads(text)


def test_brackets_in_strings_and_escaped_quotes_do_not_count():
    text = json.dumps({"note": 'say \\" [[[[[[[[[[ {{{{{{{{{{'})
    assert not nested_deeper_than(text, 1)


def test_malformed_json_still_raises_the_usual_error():
    with pytest.raises(json.JSONDecodeError):
        json_loads("{oops")
