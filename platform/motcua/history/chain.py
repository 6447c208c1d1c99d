"""The hash chain of a dossier's history: each event's hash covers its canonical content
(RFC 8785 JSON) and the hash of the event before it, so an edited, deleted or inserted
event breaks every hash after it. ``record`` links each new event under the dossier's lock; the
audit recomputes the chain (``audit verify``) and signs the heads daily."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

# The hash the first event of every chain links to.
GENESIS = "0" * 64

# What an event's hash covers: every column written by ``record`` except the row id (the
# position in the chain, ``seq``, stands for it) and the hash itself.
CHAINED_FIELDS = (
    "dossier_id", "seq", "at", "actor_id", "actor_role", "actor_unit_id", "action", "step",
    "step_name", "from_step", "to_step", "to_steps", "to_tasks", "unit_id", "outcome",
    "meaning", "document", "note", "timing", "started_at", "due_at", "task_id",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        # One spelling per instant, whatever zone or backend it came from.
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        raise TypeError("a chained field holds no number but an integer")
    return value


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The event's chained fields as RFC 8785 canonical JSON.

    For what an event holds (ASCII keys; text, integers, null, lists of them; no floats),
    the standard library's sorted, compact, non-ASCII-preserving encoding is exactly RFC
    8785's, three times faster than the reference implementation; the tests compare the
    two on every kind of character."""
    plain = {name: _plain(fields.get(name)) for name in CHAINED_FIELDS}
    return json.dumps(plain, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def link(previous: str, fields: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and the event's canonical content, in hex."""
    return hashlib.sha256(bytes.fromhex(previous) + canonical(fields)).hexdigest()


def event_fields(event: Any) -> dict[str, Any]:
    """The chained fields of a history event row (or anything with those attributes)."""
    return {name: getattr(event, name) for name in CHAINED_FIELDS}


@dataclass(frozen=True)
class Break:
    """Where a recomputed chain stops matching: the 1-based position (the first event that
    is wrong or missing) and what is wrong there."""

    position: int
    kind: str  # "edited" | "deleted" | "inserted" | "reordered"
    event_id: int | None = None


def first_break(events: Iterable[Any]) -> Break | None:
    """Walk one dossier's events in id order and name the first one that breaks the chain:

    - a position that skips ahead (``seq`` jumps) means events were deleted before it;
    - a repeated or backwards position, or a stored hash that links to nothing, means an
      event was inserted;
    - a stored hash that differs from the recomputed one means it was edited."""
    previous = GENESIS
    expected = 1
    for event in events:
        seq = event.seq
        if seq is None or seq < expected:
            return Break(expected, "inserted", event.id)
        if seq > expected:
            return Break(expected, "deleted", event.id)
        if event.hash != link(previous, event_fields(event)):
            # An event written in the middle with the right position but not the right link
            # to its predecessor reads as an edit of the one that was there.
            return Break(seq, "edited", event.id)
        previous = event.hash
        expected += 1
    return None


def head(events: Iterable[Any]) -> tuple[int, str]:
    """The chain's size and last hash as stored (GENESIS for an empty chain)."""
    size, last = 0, GENESIS
    for event in events:
        size, last = event.seq, event.hash
    return size, last
