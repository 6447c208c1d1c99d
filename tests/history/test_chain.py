"""The history's hash chain: ``record`` links each event to the one before it, and
``first_break`` names the first position where a chain read back stops matching."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.history.chain import GENESIS, Break, canonical, event_fields, first_break, link
from motcua.history.models import HistoryEvent
from support.walk import Walker


@dataclass(frozen=True)
class Row:
    id: int
    seq: int
    hash: str
    dossier_id: int = 7
    at: datetime = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
    action: str = "completed"
    note: str | None = None


def _chain(notes: list[str | None]) -> list[Row]:
    rows, previous = [], GENESIS
    for index, note in enumerate(notes, start=1):
        row = Row(id=index * 10, seq=index, hash="", note=note)
        previous = link(previous, _fields(row))
        rows.append(replace(row, hash=previous))
    return rows


def _fields(row: Row) -> dict[str, Any]:
    return {"dossier_id": row.dossier_id, "seq": row.seq, "at": row.at,
            "action": row.action, "note": row.note}


def test_the_canonical_form_does_not_depend_on_the_zone_or_key_order() -> None:
    utc = datetime(2026, 3, 16, 2, 0, tzinfo=UTC)
    hanoi = utc.astimezone(timezone(timedelta(hours=7)))
    assert canonical({"at": utc, "note": "Hồ sơ"}) == canonical({"note": "Hồ sơ", "at": hanoi})
    assert canonical({"note": "a"}) != canonical({"note": "b"})


def test_an_intact_chain_has_no_break() -> None:
    rows = _chain(["a", "b", "c"])
    assert first_break(_as_events(rows)) is None


def test_an_edit_a_deletion_and_an_insertion_are_named_with_their_position() -> None:
    rows = _chain(["a", "b", "c", "d"])
    edited = [rows[0], replace(rows[1], note="B"), *rows[2:]]
    assert first_break(_as_events(edited)) == Break(2, "edited", 20)
    deleted = [rows[0], *rows[2:]]
    assert first_break(_as_events(deleted)) == Break(2, "deleted", 30)
    forged = replace(rows[1], id=99, note="forged")
    inserted = [rows[0], rows[1], forged, *rows[2:]]
    assert first_break(_as_events(inserted)) == Break(3, "inserted", 99)
    last_removed = rows[:-1]
    assert first_break(_as_events(last_removed)) is None  # only the signed heads see this


class _Event:
    def __init__(self, row: Row) -> None:
        self.id, self.seq, self.hash = row.id, row.seq, row.hash
        self._fields = _fields(row)

    def __getattr__(self, name: str) -> Any:
        return self._fields.get(name)


def _as_events(rows: list[Row]) -> list[Any]:
    return sorted((_Event(r) for r in rows), key=lambda e: (e.seq, e.id))


def test_record_links_each_event_of_a_dossier_to_the_one_before(walker: Walker) -> None:
    code = walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap")["code"]
    walker.complete("mc.lan", code, "accept")
    walker.complete("tp.hung", code, assignee="cv.mai")
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    assert dossier is not None
    events = list(db.session.scalars(select(HistoryEvent).where(
        HistoryEvent.dossier_id == dossier.id).order_by(HistoryEvent.seq)))
    assert len(events) >= 3
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    previous = GENESIS
    for event in events:
        assert event.hash == link(previous, event_fields(event))
        previous = event.hash
    assert first_break(events) is None


def test_the_fast_canonical_form_is_rfc_8785s() -> None:
    import random

    import rfc8785

    from motcua.history.chain import CHAINED_FIELDS

    rng = random.Random(8785)
    alphabet = ('"\\/\b\f\n\r\t\x00\x01\x1f\x7f\u2028\u2029 aZ~éđẫỹ€😀\ufeff'
                + "".join(chr(c) for c in range(0x20)))
    for _ in range(500):
        fields: dict[str, Any] = {}
        for name in CHAINED_FIELDS:
            kind = rng.randrange(4)
            if kind == 0:
                fields[name] = "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
            elif kind == 1:
                fields[name] = rng.randrange(-2**53, 2**53)
            elif kind == 2:
                fields[name] = [rng.choice(["Task_1", "Bước 2", "\n"]), rng.randrange(9)]
        plain = {name: fields.get(name) for name in CHAINED_FIELDS}
        assert canonical(fields) == rfc8785.dumps(plain)
