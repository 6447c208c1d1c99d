"""Checking the history's hash chains and the signed daily heads over them.

Three layers, each catching what the one before cannot:

1. each dossier's chain recomputed (``first_break``): an edited, deleted or inserted event;
2. each stored leaf (size, head) against the recomputed chain: a chain rewritten
   consistently after an edit, or cut short at its end, no longer passes through the head a
   tree signed;
3. each tree head: its root recomputed from its leaves (an edited leaf), its signature (an
   edited head), and its place after the head before it (sizes and days never go back).

Events are streamed in (dossier, position, id) order and only one dossier's events are held
at a time; the trees' leaves are kept as hashes (``HeadTree``), about 80 bytes a dossier."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy import func, select

from motcua.audit.integrity import merkle
from motcua.audit.integrity.seal import STREAM_ROWS, tree_leaves
from motcua.audit.integrity.signing import head_message, signing_key, verify_signature
from motcua.audit.models import TreeHead, TreeLeaf
from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.errors import NotFound
from motcua.history.chain import CHAINED_FIELDS, Break, first_break
from motcua.history.models import HistoryEvent

# What each kind of break did to the event, in the line an officer reads.
KIND_WORDS = {
    "edited": "bị sửa (mã băm không khớp nội dung hoặc sự kiện liền trước)",
    "deleted": "bị xóa (thiếu vị trí này trong chuỗi)",
    "inserted": "bị chèn (trùng hoặc lùi vị trí trong chuỗi)",
    "reordered": "bị đảo thứ tự",
}


def chain_break(dossier_id: int) -> Break | None:
    """The first event of the dossier's chain that is edited, missing or inserted."""
    events = db.session.scalars(
        select(HistoryEvent).where(HistoryEvent.dossier_id == dossier_id)
        .order_by(HistoryEvent.seq, HistoryEvent.id))
    return first_break(events)


@dataclass(frozen=True)
class Problem:
    """One break: a dossier's event at a position (1-based; ``last_position`` when only a
    range can be named), or a tree head of a day."""

    kind: str
    line: str = ""
    dossier_id: int | None = None
    dossier_code: str | None = None
    position: int | None = None
    last_position: int | None = None
    day: date | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.line, "dossier": self.dossier_code,
                "position": self.position, "last_position": self.last_position,
                "day": self.day.isoformat() if self.day else None}


@dataclass(frozen=True)
class Proof:
    """A dossier's leaf in the latest signed tree, with its RFC 9162 inclusion proof."""

    day: date
    index: int
    tree_size: int
    size: int
    head: str
    root: str
    path: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "leaf_index": self.index,
                "tree_size": self.tree_size, "size": self.size, "head": self.head,
                "root": self.root, "inclusion_proof": self.path}


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    dossiers: int = 0
    events: int = 0
    heads: int = 0
    seconds: float = 0.0
    proof: Proof | None = None

    @property
    def intact(self) -> bool:
        return not self.problems

    @property
    def rate(self) -> float:
        return self.events / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        state = "Toàn vẹn" if self.intact else f"{len(self.problems)} chỗ bị sửa đổi"
        seconds = f"{self.seconds:.1f}".replace(".", ",")
        return (f"{state}: {_number(self.dossiers)} hồ sơ, {_number(self.events)} sự kiện, "
                f"{self.heads} đầu cây đã ký; {seconds} giây, "
                f"{_number(round(self.rate))} sự kiện/giây.")


def _number(value: int) -> str:
    """Thousands grouped with a dot, as Vietnamese writes them."""
    return f"{value:,}".replace(",", ".")


def verify_all() -> Report:
    """Every chain, every leaf and every tree head, up to what exists when it starts."""
    started = time.perf_counter()
    tree_cutoff, event_cutoff = _cutoffs()
    days = _days(tree_cutoff)
    report = Report()
    events = _events(event_cutoff)
    leaves = _leaves_by_dossier(tree_cutoff)
    for dossier_id, rows, stored in _merge(events, leaves):
        report.dossiers += 1
        report.events += len(rows)
        problem = check_dossier(dossier_id, rows, stored, days)
        if problem is not None:
            report.problems.append(problem)
    broken = {p.dossier_id for p in report.problems}
    report.problems += [p for p in _check_heads(tree_cutoff) if p.dossier_id not in broken]
    report.heads = len(days)
    report.problems = _worded(report.problems)
    report.seconds = time.perf_counter() - started
    return report


def verify_dossier(code: str) -> Report:
    """One dossier's chain and leaves, the heads that signed them, and the latest tree's
    root with the dossier's inclusion proof."""
    started = time.perf_counter()
    # No code holds a NUL, and PostgreSQL refuses to compare with one.
    dossier_id = (db.session.scalar(select(Dossier.id).where(Dossier.code == code.strip()))
                  if "\x00" not in code else None)
    if dossier_id is None:
        raise NotFound(f"Không tìm thấy hồ sơ {code[:64]}")
    tree_cutoff, event_cutoff = _cutoffs()
    days = _days(tree_cutoff)
    rows = list(_events(event_cutoff, dossier_id))
    leaf = TreeLeaf.__table__.c
    stored = [tuple(r) for r in db.session.execute(
        select(leaf.tree_id, leaf.size, leaf.head).where(
            leaf.dossier_id == dossier_id, leaf.tree_id <= tree_cutoff)
        .order_by(leaf.tree_id, leaf.id))]
    report = Report(dossiers=1, events=len(rows))
    problem = check_dossier(dossier_id, rows, stored, days)
    if problem is not None:
        report.problems.append(problem)
    signed = {tree_id for tree_id, _s, _h in stored} | ({tree_cutoff} if tree_cutoff else set())
    heads = db.session.scalars(select(TreeHead).where(TreeHead.id.in_(signed))
                               .order_by(TreeHead.id)).all()
    report.heads = len(heads)
    for head in heads:
        report.problems += _signature_problems(head)
    if tree_cutoff:
        latest = heads[-1]
        root_problem, report.proof = _latest_tree(latest, dossier_id)
        report.problems += root_problem
    report.problems = _worded(report.problems)
    report.seconds = time.perf_counter() - started
    return report


def _cutoffs() -> tuple[int, int]:
    """The last tree head, then the last event: a tree committed meanwhile is left for the
    next run, and every event a counted tree saw is in the stream."""
    tree = db.session.scalar(select(func.coalesce(func.max(TreeHead.id), 0))) or 0
    event = db.session.scalar(select(func.coalesce(func.max(HistoryEvent.id), 0))) or 0
    return tree, event


def _days(tree_cutoff: int) -> dict[int, date]:
    rows = db.session.execute(select(TreeHead.id, TreeHead.day).where(TreeHead.id <= tree_cutoff))
    return {tree_id: day for tree_id, day in rows}


def _events(cutoff: int, dossier_id: int | None = None) -> Iterator[Any]:
    columns = [HistoryEvent.id, HistoryEvent.hash,
               *(getattr(HistoryEvent, name) for name in CHAINED_FIELDS)]
    query = select(*columns).where(HistoryEvent.id <= cutoff)
    if dossier_id is not None:
        query = query.where(HistoryEvent.dossier_id == dossier_id)
    query = query.order_by(HistoryEvent.dossier_id, HistoryEvent.seq, HistoryEvent.id)
    return iter(db.session.execute(query.execution_options(yield_per=STREAM_ROWS)))


def _leaves_by_dossier(tree_cutoff: int) -> Iterator[Any]:
    leaf = TreeLeaf.__table__.c
    query = (select(leaf.dossier_id, leaf.tree_id, leaf.size, leaf.head)
             .where(leaf.tree_id <= tree_cutoff)
             .order_by(leaf.dossier_id, leaf.tree_id, leaf.id))
    return iter(db.session.execute(query.execution_options(yield_per=STREAM_ROWS)))


_Leaf = tuple[int, int, str]  # tree id, size, head


def _merge(events: Iterator[Any], leaves: Iterator[Any]
           ) -> Iterator[tuple[int, list[Any], list[_Leaf]]]:
    """Each dossier with events or leaves, in id order: its events and its stored leaves."""
    by_events = groupby(events, key=lambda e: e.dossier_id)
    by_leaves = groupby(leaves, key=lambda row: row[0])
    event_group = next(by_events, None)
    leaf_group = next(by_leaves, None)
    while event_group is not None or leaf_group is not None:
        event_id = event_group[0] if event_group is not None else None
        leaf_id = leaf_group[0] if leaf_group is not None else None
        if leaf_id is None or (event_id is not None and event_id < leaf_id):
            assert event_group is not None
            yield event_group[0], list(event_group[1]), []
            event_group = next(by_events, None)
        elif event_id is None or leaf_id < event_id:
            assert leaf_group is not None
            yield leaf_group[0], [], [tuple(r[1:]) for r in leaf_group[1]]
            leaf_group = next(by_leaves, None)
        else:
            assert event_group is not None and leaf_group is not None
            yield event_id, list(event_group[1]), [tuple(r[1:]) for r in leaf_group[1]]
            event_group = next(by_events, None)
            leaf_group = next(by_leaves, None)


def check_dossier(dossier_id: int, events: Sequence[Any], leaves: Iterable[_Leaf],
                  days: dict[int, date]) -> Problem | None:
    """The first break of one dossier: in its chain, else against the heads trees signed
    (``leaves`` in tree order). A signed head names a range: every event after the last
    signed head that still matches, up to the first that no longer does."""
    broken = first_break(events)
    if broken is not None:
        return Problem(broken.kind, dossier_id=dossier_id, position=broken.position)
    matched = 0
    for tree_id, size, head in leaves:
        day = days.get(tree_id)
        if size > len(events):
            return Problem("truncated", dossier_id=dossier_id, position=len(events) + 1,
                           last_position=size, day=day)
        if size >= 1 and events[size - 1].hash != head:
            first = matched + 1 if matched < size else 1
            return Problem("rewritten", dossier_id=dossier_id, position=first,
                           last_position=size, day=day)
        matched = max(matched, size)
    return None


def _check_heads(tree_cutoff: int) -> Iterator[Problem]:
    """Replay the trees in order: each tree's new leaves applied to the one before, its size,
    root and signature checked, and no dossier's signed head going back."""
    leaf = TreeLeaf.__table__.c
    rows = db.session.execute(
        select(leaf.tree_id, leaf.dossier_id, leaf.size, leaf.head)
        .where(leaf.tree_id <= tree_cutoff).order_by(leaf.tree_id, leaf.dossier_id, leaf.id)
        .execution_options(yield_per=STREAM_ROWS))
    by_tree = groupby(rows, key=lambda row: row[0])
    group = next(by_tree, None)
    tree = merkle.HeadTree()
    previous: TreeHead | None = None
    heads = db.session.scalars(select(TreeHead).where(TreeHead.id <= tree_cutoff)
                               .order_by(TreeHead.id))
    for head in heads:
        changes: list[tuple[int, int, bytes]] = []
        while group is not None and group[0] <= head.id:
            # Leaves of a tree id with no head cannot be: a foreign key keeps them out.
            for _tree, dossier_id, size, value in group[1]:
                new = merkle.leaf_hash(merkle.leaf_data(dossier_id, size, value))
                index = tree.find(dossier_id)
                if index is not None and tree.tags[index] > size:
                    yield Problem("regressed", dossier_id=dossier_id, position=size + 1,
                                  last_position=tree.tags[index], day=head.day)
                elif index is not None and tree.tags[index] == size and tree.leaf(index) != new:
                    yield Problem("forked", dossier_id=dossier_id, position=1,
                                  last_position=size, day=head.day)
                changes.append((dossier_id, size, new))
                if len(changes) == STREAM_ROWS:  # a first tree has a leaf per dossier
                    tree.update(changes)
                    changes = []
            group = next(by_tree, None)
        # Of two rows for one dossier in a tree (a forged one), the last written counts.
        tree.update(changes)
        if len(tree) != head.size:
            yield Problem("size", day=head.day, detail=f"ghi {head.size} hồ sơ nhưng có "
                                                       f"{len(tree)} lá")
        elif tree.root().hex() != head.root:
            yield Problem("root", day=head.day)
        yield from _signature_problems(head)
        if previous is not None and (head.day <= previous.day or head.size < previous.size
                                     or head.last_event_id < previous.last_event_id):
            yield Problem("order", day=head.day, detail=f"{previous.day:%d/%m/%Y}")
        previous = head


def _signature_problems(head: TreeHead) -> list[Problem]:
    key = signing_key()
    if head.key_id != key.key_id:
        return [Problem("key", day=head.day, detail=head.key_id[:16])]
    message = head_message(head.day, head.signed_at, head.size, head.root, head.last_event_id)
    if not verify_signature(key.public, message, head.signature):
        return [Problem("signature", day=head.day)]
    return []


def _latest_tree(head: TreeHead, dossier_id: int) -> tuple[list[Problem], Proof | None]:
    keys, hashes, sizes, heads = [], [], [], []
    for key, size, value in tree_leaves(head.id):
        keys.append(key)
        sizes.append(size)
        heads.append(value)
        hashes.append(merkle.leaf_hash(merkle.leaf_data(key, size, value)))
    if len(hashes) != head.size:
        return [Problem("size", day=head.day, detail=f"ghi {head.size} hồ sơ nhưng có "
                                                     f"{len(hashes)} lá")], None
    if merkle.root(hashes).hex() != head.root:
        return [Problem("root", day=head.day)], None
    if dossier_id not in keys:
        return [], None
    index = keys.index(dossier_id)
    path = merkle.inclusion_proof(hashes, index)
    return [], Proof(head.day, index, len(hashes), sizes[index], heads[index], head.root,
                     [p.hex() for p in path])


def _worded(problems: list[Problem]) -> list[Problem]:
    """Each problem with its dossier's code and its line."""
    ids = sorted({p.dossier_id for p in problems if p.dossier_id is not None})
    codes: dict[int, str] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        rows = db.session.execute(select(Dossier.id, Dossier.code).where(Dossier.id.in_(chunk)))
        codes.update({ident: code for ident, code in rows})
    worded = []
    for problem in problems:
        code = None
        if problem.dossier_id is not None:
            code = codes.get(problem.dossier_id, f"hồ sơ #{problem.dossier_id}")
        problem = replace(problem, dossier_code=code)
        worded.append(replace(problem, line=_line(problem)))
    return worded


def _positions(problem: Problem) -> str:
    first, last = problem.position, problem.last_position
    if last is None or last == first:
        return f"sự kiện thứ {first}"
    return f"sự kiện thứ {first}–{last}"


# The line of each other kind of problem; a dossier's names its code and event positions.
LINES = {
    "truncated": "{code}: {positions} bị xóa (đầu chuỗi ký ngày {day} có {last} sự kiện, nay "
                 "còn {kept})",
    "rewritten": "{code}: {positions} bị sửa: chuỗi không còn đi qua đầu chuỗi đã ký ngày "
                 "{day} (chuỗi bị viết lại, mã băm được tính lại)",
    "regressed": "{code}: {positions} bị xóa: đầu chuỗi ký ngày {day} ngắn hơn đầu chuỗi đã "
                 "ký trước đó ({last} sự kiện)",
    "forked": "{code}: {positions} bị sửa: đầu chuỗi ký ngày {day} khác đầu chuỗi cùng {last} "
              "sự kiện đã ký trước đó",
    "size": "Đầu cây ngày {day}: {detail} (lá hoặc đầu cây bị sửa)",
    "root": "Đầu cây ngày {day}: gốc không khớp các lá đã lưu (lá hoặc đầu cây bị sửa)",
    "signature": "Đầu cây ngày {day}: chữ ký không hợp lệ (đầu cây bị sửa)",
    "key": "Đầu cây ngày {day}: ký bằng khóa khác khóa hiện tại (mã khóa {detail}…), không "
           "kiểm được chữ ký",
    "order": "Đầu cây ngày {day}: không nối tiếp đầu cây ngày {detail} (ngày, số hồ sơ hoặc "
             "sự kiện cuối lùi lại)",
}


def _line(p: Problem) -> str:
    positions = _positions(p) if p.position is not None else ""
    if p.kind in KIND_WORDS:
        return f"{p.dossier_code}: {positions} {KIND_WORDS[p.kind]}"
    return LINES[p.kind].format(
        code=p.dossier_code, positions=positions, day=f"{p.day:%d/%m/%Y}" if p.day else "",
        last=p.last_position, kept=(p.position or 1) - 1, detail=p.detail)
