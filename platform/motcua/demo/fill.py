"""Valid e-form data made from a form's JSON Schema, for the demo's dossiers: every required
field, with values that read like what an applicant or an officer would enter.

The schema decides what is valid (types, bounds, enums, formats, patterns; no ``$ref``, which
the form renderer does not draw either); a property's title only picks the kind of words for
free text (a name, an address, an opinion), with a neutral text when no title says. Fields
the walk decides itself (the assignee, a reason, the papers missing) are passed in as
overrides. The platform validates the result like any other submission."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from motcua.calendar.working_time import TZ
from motcua.demo import people
from motcua.demo.people import Applicant

NEUTRAL = "Theo hồ sơ đã nộp"
# Drawing series: architecture, structure, connections, design.
DRAWINGS = ["KT", "KC", "ĐN", "TK"]


@dataclass(frozen=True)
class Context:
    rng: random.Random
    # The step's own moment: the dates and times a form records are today's.
    at: datetime
    applicant: Applicant
    # Paper names (the procedure's declared documents): for lists of papers and drawings.
    papers: Sequence[str]
    project: str
    signer: str


def fill(schema: Mapping[str, Any] | None, ctx: Context,
         overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    if not schema:
        return dict(overrides or {})
    value = _value(schema, ctx, "")
    data = value if isinstance(value, dict) else {}
    data.update(overrides or {})
    return data


def papers(items: Mapping[str, Any], ctx: Context, names: Sequence[str]) -> list[Any]:
    """A list of papers (what the applicant must add): one entry per name, made from the
    list's item schema, the paper's name in its first text (where form 02 reads it)."""
    entries = []
    for name in names:
        entry = _value(items, ctx, "")
        if isinstance(entry, dict):
            first = next((k for k, s in (items.get("properties") or {}).items()
                          if s.get("type") == "string"), None)
            if first is not None:
                entry[first] = _fit(name, items["properties"][first])
        elif isinstance(entry, str):
            entry = _fit(name, items)
        entries.append(entry)
    return entries


def _value(schema: Mapping[str, Any], ctx: Context, title: str) -> Any:
    title = str(schema.get("title") or title)
    if "const" in schema:
        return schema["const"]
    if "default" in schema:
        return schema["default"]
    if schema.get("enum"):
        return ctx.rng.choice(schema["enum"])
    for key in ("oneOf", "anyOf"):
        if schema.get(key):
            return _value(schema[key][0], ctx, title)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object":
        props = schema.get("properties") or {}
        return {name: _value(props.get(name, {"type": "string"}), ctx, name)
                for name in schema.get("required", [])}
    if kind == "array":
        return _array(schema, ctx, title)
    if kind in ("integer", "number"):
        return _number(schema, kind, title, ctx.rng)
    if kind == "boolean":
        return True
    return _string(schema, title, ctx)


def _array(schema: Mapping[str, Any], ctx: Context, title: str) -> list[Any]:
    low = max(int(schema.get("minItems", 1)), 1)
    high = max(low, min(int(schema.get("maxItems", low + 2)), low + 2))
    count = ctx.rng.randint(low, high)
    items = schema.get("items") or {"type": "string"}
    return [_value(items, ctx, title) for _ in range(count)]


def _number(schema: Mapping[str, Any], kind: str, title: str, rng: random.Random) -> int | float:
    low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
    high = schema.get("maximum")
    if "đồng" in title.lower():
        # A sum of money: whole millions (fees, investment totals).
        value: float = rng.randint(2, 300) * 1_000_000
    else:
        value = low + rng.randint(1, 20) if kind == "integer" else round(
            low + rng.uniform(20, 2000), 1)
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        value = schema["exclusiveMinimum"] + 1
    if high is not None:
        value = min(value, high)
    return int(value) if kind == "integer" else float(value)


def _string(schema: Mapping[str, Any], title: str, ctx: Context) -> str:
    fmt = schema.get("format")
    local = ctx.at.astimezone(TZ)
    if fmt == "date":
        return local.date().isoformat()
    if fmt == "date-time":
        return local.isoformat()
    if fmt == "email":
        return ctx.applicant.email
    if fmt == "username":
        return ""  # an officer: the walk chooses one and overrides it
    if isinstance(schema.get("pattern"), str):
        return _patterned(schema["pattern"], schema, ctx)
    return _fit(_text(title.lower(), ctx), schema)


# Free text by what its title asks for, first match wins (a more specific title first).
_TEXTS: list[tuple[tuple[str, ...], Callable[[Context], str]]] = [
    (("tên chủ đầu tư",), lambda c: c.applicant.name),
    (("tên tổ chức",), lambda c: c.applicant.name),
    (("người ký",), lambda c: c.signer),
    (("họ",), lambda c: c.applicant.person),
    (("người",), lambda c: c.applicant.person),
    (("địa chỉ",), lambda c: c.applicant.address),
    (("xã", "phường"), lambda c: c.rng.choice(people.WARDS)),
    (("tên công trình",), lambda c: c.project),
    (("tên dự án",), lambda c: c.project),
    (("mục đích",), lambda c: c.rng.choice(people.PURPOSES)),
    (("ký hiệu",), lambda c: f"{c.rng.choice(DRAWINGS)}-{c.rng.randint(1, 30):02d}"),
    (("thửa",), lambda c: str(c.rng.randint(1, 900))),
    (("tờ bản đồ",), lambda c: str(c.rng.randint(1, 60))),
    (("tên",), lambda c: c.rng.choice(c.papers) if c.papers else NEUTRAL),
    (("đôn đốc",), lambda c: c.rng.choice(people.REMINDERS)),
    (("ý kiến",), lambda c: c.rng.choice(people.OPINIONS)),
    (("nội dung",), lambda c: c.rng.choice(people.OPINIONS)),
]


def _text(title: str, ctx: Context) -> str:
    for words, make in _TEXTS:
        if all(word in title for word in words):
            return make(ctx)
    return NEUTRAL


def _fit(text: str, schema: Mapping[str, Any]) -> str:
    text = text[: int(schema.get("maxLength", 2000))]
    # Too short for the form's minimum: say it again rather than pad with filler.
    while len(text) < int(schema.get("minLength", 0)):
        text = f"{text} {text}".strip() if text else NEUTRAL
    return text[: int(schema.get("maxLength", 2000))]


def _patterned(pattern: str, schema: Mapping[str, Any], ctx: Context) -> str:
    """The applicant's own numbers when the pattern takes them, else a made-up one, else one
    of the schema's examples."""
    rng, who = ctx.rng, ctx.applicant
    own = [who.tax_code, who.id_number] if who.organisation else [who.id_number, who.tax_code]
    examples = [str(e) for e in schema.get("examples") or []]
    suffix = examples[0].split("/", 1)[1] if examples and "/" in examples[0] else "QĐ"
    made = [*own, who.phone, f"1:{rng.choice([50, 100, 200, 500])}",
            f"{rng.randint(1, 999)}/{suffix}", str(ctx.at.astimezone(TZ).year), *examples]
    for candidate in made:
        if re.fullmatch(pattern, candidate):
            return candidate
    raise ValueError(f"Dữ liệu mẫu: không tạo được giá trị theo mẫu {pattern}")
