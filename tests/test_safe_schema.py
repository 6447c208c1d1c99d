"""Validators from motcua.safe_schema: patterns on RE2 (linear time), ECMA-262 meaning kept."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from motcua.forms import parse_form
from motcua.safe_schema import (
    PatternError,
    UnsafeSchema,
    build_validator,
    compile_pattern,
    re2_syntax,
    subschemas,
)
from motcua.schema_errors import UNCHECKABLE, validate
from support.paths import SAMPLES

ROOT = Path(__file__).resolve().parents[1]
# Nested quantifiers: Python's re backtracks for seconds on 40 characters; RE2 cannot.
EVIL = "^(a+)+$"
ADVERSARIAL = "a" * 40 + "!"
# A guard, not a benchmark: RE2 takes well under a millisecond here.
FAST = 0.05


def timed(call: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def test_nested_quantifier_pattern_validates_adversarial_input_fast() -> None:
    schema = {"type": "object", "properties": {
        "ma": {"type": "string", "pattern": EVIL, "description": "Chỉ gồm chữ a"}}}
    validate({"ma": "a"}, schema)  # build and cache the validator outside the timing
    problems, seconds = timed(lambda: validate({"ma": ADVERSARIAL}, schema))
    assert problems == [{"field": "ma", "message": "Không đúng định dạng: Chỉ gồm chữ a"}]
    assert seconds < FAST


def test_pattern_properties_and_additional_properties_match_keys_on_re2() -> None:
    schema = {"type": "object", "patternProperties": {EVIL: {"type": "integer"}},
              "additionalProperties": False}
    validator = build_validator(schema)
    assert validator.is_valid({"aaa": 1})
    errors, seconds = timed(lambda: list(validator.iter_errors({ADVERSARIAL: 1})))
    assert seconds < FAST
    assert [e.validator for e in errors] == ["additionalProperties"]
    assert not validator.is_valid({"aa": "not a number"})


def test_additional_properties_message_is_kept_with_pattern_properties() -> None:
    schema = {"type": "object", "properties": {"a": {}}, "patternProperties": {"^x_": {}},
              "additionalProperties": False}
    assert validate({"a": 1, "x_1": 2, "b": 3}, schema) == [
        {"field": "b", "message": "Trường này không có trong biểu mẫu"}]


def test_regex_format_is_checked_by_re2() -> None:
    validator = build_validator({"type": "string", "format": "regex"})
    assert validator.is_valid("^[0-9]+$")
    assert not validator.is_valid(r"(a)\1")


def test_pattern_is_an_unanchored_search() -> None:
    validator = build_validator({"pattern": "b+"})
    assert validator.is_valid("abbbc")
    assert not validator.is_valid("ac")
    assert validator.is_valid(5)  # pattern only constrains strings


@pytest.mark.parametrize(("pattern", "text", "matches"), [
    # \d and \w are ASCII, as in ECMA-262 (Python's re matched any Unicode digit).
    (r"^\d+$", "0123", True),
    (r"^\d+$", "١٢٣", False),
    (r"^\w+$", "ho_ten1", True),
    (r"^\w+$", "họ", False),
    # \s and \S follow ECMA-262: Unicode spaces, also inside a class.
    (r"^\s$", "\u00a0", True),
    (r"^\s$", "\u2028", True),
    (r"^\S+$", "a\u00a0b", False),
    (r"^[^\s]+$", "a\u3000b", False),
    (r"^[\s]$", "\ufeff", True),
    # \uXXXX and \u{...} escapes.
    (r"^[\u00C0-\u1EF9]+$", "Đặng", False),
    (r"^[\u00C0-\u1EF9a-z]+$", "ặng", True),
    (r"^\u{1F600}$", "😀", True),
    # "$" ends the text (Python's also matched before a final newline).
    (r"^[0-9]{12}$", "001090012345\n", False),
    # "." stops at every line terminator.
    (r"^a.b$", "a\rb", False),
    (r"^a.b$", "a-b", True),
    (r"^[.]$", "x", False),
    # A "]" right after "[" is a literal; escapes are copied as they are.
    (r"^[]a]+$", "a]", True),
    (r"^\.\$$", ".$", True),
])
def test_ecma_meaning(pattern: str, text: str, matches: bool) -> None:
    assert (compile_pattern(pattern).search(text) is not None) is matches


def test_re2_syntax_rewrites_only_what_differs() -> None:
    assert re2_syntax(r"^[0-9]{10}(-[0-9]{3})?$") == r"^[0-9]{10}(-[0-9]{3})?$"
    assert re2_syntax(r"\u00e9") == r"\x{00e9}"
    assert re2_syntax(r"\\u00e9") == r"\\u00e9"  # an escaped backslash, then "u00e9"


@pytest.mark.parametrize("pattern", [r"(a)\1", r"(?<n>a)\k<n>", "(?=a)", "(?!a)", "(?<=a)b",
                                     "(?<!a)b", "a{1001}", "(", "[z-a]"])
def test_patterns_re2_cannot_run_are_refused(pattern: str) -> None:
    with pytest.raises(PatternError):
        compile_pattern(pattern)


def test_a_stored_pattern_re2_refuses_matches_nothing() -> None:
    # Only a form stored before upload checked patterns can hold one: its data is refused.
    assert not build_validator({"type": "string", "pattern": r"(a)\1"}).is_valid("aa")


def test_unevaluated_properties_with_pattern_properties_is_refused() -> None:
    schema = {"type": "object", "patternProperties": {"^x": {}},
              "properties": {"a": {"unevaluatedProperties": False}}}
    with pytest.raises(UnsafeSchema):
        build_validator(schema)
    assert validate({"a": {}}, schema) == [{"field": "_data", "message": UNCHECKABLE}]


def test_posted_form_data_is_validated_on_re2() -> None:
    schema = {"type": "object", "required": ["ma"], "properties": {
        "ma": {"type": "string", "title": "Mã", "pattern": EVIL}}}
    parsed = parse_form(schema, None, MultiDict([("data.ma", ADVERSARIAL)]))
    assert parsed.data == {"ma": ADVERSARIAL}
    validate(parsed.data | {"ma": "a"}, schema, root="data")
    problems, seconds = timed(lambda: validate(parsed.data, schema, root="data"))
    assert seconds < FAST
    assert [p["field"] for p in problems] == ["data.ma"]


def _form_patterns() -> list[str]:
    found = set()
    for path in [*(ROOT / "forms").glob("*.schema.json"),
                 *(SAMPLES / "forms").glob("*.schema.json")]:
        schema = json.loads(path.read_text(encoding="utf-8"))
        for _, node in subschemas(schema):
            if isinstance(node.get("pattern"), str):
                found.add(node["pattern"])
            found.update(node.get("patternProperties", {}))
    return sorted(found)


CANDIDATES = ["", "0", "001090012345", "0912345678", "+84912345678", "0123456789-001",
              "1:500", "12/LLTP", "12/", "12/ab/c", "12 /ab", "2026", "abc", "a", "aa",
              "001090012345 ", " 0912345678"]


@pytest.mark.parametrize("pattern", _form_patterns())
def test_library_patterns_match_as_they_did_on_re(pattern: str) -> None:
    for text in CANDIDATES:
        before = re.search(pattern, text) is not None
        assert (compile_pattern(pattern).search(text) is not None) is before, text
