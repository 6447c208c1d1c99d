"""JSON Schema validators that reach nothing outside their schema and match patterns in
linear time.

jsonschema's defaults fetch a remote ``$ref`` (and read a ``file:`` one) and run ``pattern``
on Python's backtracking ``re``, where ``(a+)+$`` against 40 characters takes seconds. Every
validator the platform builds comes from ``build_validator``: refs resolve only inside the
schema (and the meta-schemas jsonschema bundles), patterns run on RE2.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

import re2
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import extend, validator_for
from referencing import Registry

Path = tuple[str | int, ...]


def _refuse(uri: str) -> Any:
    # referencing turns this into Unresolvable: the validator fails on the ref, and nothing
    # is fetched or read.
    raise LookupError(f"schemas are never retrieved: {uri}")


NO_RETRIEVAL: Registry[Any] = Registry(retrieve=_refuse)  # type: ignore[call-arg]


class UnsafeSchema(ValueError):
    """A schema no validator here can check without falling back to Python's ``re``."""


class PatternError(ValueError):
    """RE2 cannot compile the pattern; the message is RE2's reason."""


# ----------------------------------------------------------------------------- patterns

# ECMA-262 "\s" is Unicode white space and line terminators; RE2's is ASCII only.
_SPACE = r"\t\n\v\f\r\x{FEFF}\p{Z}"
# ECMA-262 "." stops at every line terminator; RE2's only at "\n".
_DOT = r"[^\n\r\x{2028}\x{2029}]"
_UNICODE_ESCAPE = re.compile(r"\\u(?:([0-9A-Fa-f]{4})|\{([0-9A-Fa-f]{1,6})\})")
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False
_OPTIONS.never_capture = True


def re2_syntax(pattern: str) -> str:
    """An ECMA-262 pattern (JSON Schema's dialect) in RE2's syntax: ``\\uXXXX`` and
    ``\\u{...}`` become ``\\x{...}``, ``\\s``, ``\\S`` (outside a class) and ``.`` keep ECMA's
    meaning. Already the same in both: ``\\d``, ``\\w``, ``\\b`` are ASCII (Python's ``re``
    made them Unicode) and ``$`` ends the text (Python's also matched before a final
    newline)."""
    out: list[str] = []
    i, in_class = 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escape = _UNICODE_ESCAPE.match(pattern, i)
            if escape:
                out.append(r"\x{" + (escape[1] or escape[2]) + "}")
                i = escape.end()
                continue
            pair = pattern[i:i + 2]
            if pair == r"\s":
                pair = _SPACE if in_class else f"[{_SPACE}]"
            elif pair == r"\S" and not in_class:
                pair = f"[^{_SPACE}]"
            out.append(pair)
            i += 2
            continue
        if char == "[" and not in_class:
            # RE2 reads a "]" right after "[" or "[^" as a literal: copy it with the opening.
            end = i + 1 + pattern.startswith("^", i + 1)
            end += pattern.startswith("]", end)
            out.append(pattern[i:end])
            i, in_class = end, True
            continue
        if char == "]":
            in_class = False
        out.append(_DOT if char == "." and not in_class else char)
        i += 1
    return "".join(out)


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Any:
    """``pattern`` (ECMA-262, unanchored as JSON Schema means it) compiled by RE2."""
    try:
        return re2.compile(re2_syntax(pattern), _OPTIONS)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else ""
        raise PatternError(reason.decode() if isinstance(reason, bytes) else str(reason)) from None


def _matches(pattern: str, text: str) -> bool:
    try:
        return compile_pattern(pattern).search(text) is not None
    except PatternError:
        # Only a schema stored before upload checked its patterns gets here: match nothing.
        return False


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    if validator.is_type(instance, "string") and not _matches(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, patterns: Mapping[str, Any], instance: Any,
                        schema: Any) -> Iterator[Any]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for key, value in instance.items():
            if _matches(pattern, key):
                yield from validator.descend(value, subschema, path=key, schema_path=pattern)


def _additional_properties(original: Any) -> Any:
    def additional_properties(validator: Any, additional: Any, instance: Any,
                              schema: Any) -> Iterator[Any]:
        # jsonschema's keyword matches patternProperties with ``re``: hand it only the keys
        # no pattern matches, and the schema without its patterns.
        patterns = schema.get("patternProperties")
        if validator.is_type(instance, "object") and patterns:
            instance = {key: value for key, value in instance.items()
                        if not any(_matches(pattern, key) for pattern in patterns)}
            schema = {k: v for k, v in schema.items() if k != "patternProperties"}
        yield from original(validator, additional, instance, schema)

    return additional_properties


def _is_regex(instance: object) -> bool:
    if isinstance(instance, str):
        compile_pattern(instance)
    return True


def format_checker(base: FormatChecker | None = None) -> FormatChecker:
    """``base``'s formats (every format jsonschema knows by default), with ``regex`` checked
    by RE2."""
    checker = FormatChecker(formats=())
    checker.checkers = dict((base or FormatChecker()).checkers)
    checker.checks("regex", raises=PatternError)(_is_regex)
    return checker


DATA_FORMATS = format_checker()


@lru_cache(maxsize=16)
def validator_class(cls: type[Validator]) -> type[Validator]:
    """``cls`` (a draft's validator) with ``pattern``, ``patternProperties`` and
    ``additionalProperties`` on RE2."""
    keywords = {"pattern": _pattern, "patternProperties": _pattern_properties,
                "additionalProperties": _additional_properties(
                    cls.VALIDATORS["additionalProperties"])}
    return extend(cls, keywords)


# ----------------------------------------------------------------------------- building

# Keywords whose value is a subschema, a list of them or a map of them, in any draft.
_SINGLE = frozenset({"additionalItems", "additionalProperties", "contains", "contentSchema",
                     "else", "if", "items", "not", "propertyNames", "then", "unevaluatedItems",
                     "unevaluatedProperties"})
_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems", "items"})
_MAP = frozenset({"$defs", "definitions", "dependencies", "dependentSchemas",
                  "patternProperties", "properties"})


def children(node: Mapping[str, Any]) -> Iterator[tuple[Path, Any]]:
    """The subschemas directly inside ``node``, each with its path relative to ``node``."""
    for keyword, value in node.items():
        if keyword in _MAP and isinstance(value, Mapping):
            for key, child in value.items():
                if isinstance(child, Mapping | bool):
                    yield (keyword, key), child
        elif keyword in _LIST and isinstance(value, list):
            for index, child in enumerate(value):
                if isinstance(child, Mapping | bool):
                    yield (keyword, index), child
        elif keyword in _SINGLE and isinstance(value, Mapping | bool):
            yield (keyword,), value


def subschemas(schema: Mapping[str, Any]) -> Iterator[tuple[Path, Mapping[str, Any]]]:
    """Every schema object in ``schema`` (itself first), in document order, with its path.
    Values of ``const``, ``enum``, ``default`` and unknown keywords are data, not schemas."""
    stack: list[tuple[Path, Mapping[str, Any]]] = [((), schema)]
    while stack:
        path, node = stack.pop()
        yield path, node
        found = [(path + step, child) for step, child in children(node)
                 if isinstance(child, Mapping)]
        stack.extend(reversed(found))


def unevaluated_with_patterns(schema: Mapping[str, Any]) -> tuple[Path, Path] | None:
    """Where ``unevaluatedProperties`` and ``patternProperties`` first occur, when a schema
    uses both: jsonschema works out unevaluated keys with ``re``, out of our reach."""
    found: dict[str, Path] = {}
    for path, node in subschemas(schema):
        for keyword in ("unevaluatedProperties", "patternProperties"):
            if keyword in node:
                found.setdefault(keyword, path)
    if len(found) < 2:
        return None
    return found["unevaluatedProperties"], found["patternProperties"]


def build_validator(schema: Mapping[str, Any], *,
                    formats: FormatChecker | None = None) -> Validator:
    """The validator for ``schema``'s draft (2020-12 unless ``$schema`` names another), with
    patterns on RE2 and a registry that retrieves nothing: a ref that does not resolve inside
    the schema raises ``referencing.exceptions.Unresolvable`` while validating.

    Raises ``UnsafeSchema`` when the schema uses ``unevaluatedProperties`` together with
    ``patternProperties``."""
    if unevaluated_with_patterns(schema) is not None:
        raise UnsafeSchema("unevaluatedProperties cannot be used with patternProperties")
    # An explicit default: an unknown "$schema" would otherwise raise a DeprecationWarning.
    cls = validator_class(validator_for(schema, default=Draft202012Validator))
    return cls(schema, registry=NO_RETRIEVAL, format_checker=formats or DATA_FORMATS)
