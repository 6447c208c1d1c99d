"""The daily signed tree head: every dossier's chain head (size, last hash) folded into an
RFC 9162 Merkle tree, ordered by dossier id, and its root signed with the installation's key.

A database superuser can lift the history's triggers and rewrite a whole chain consistently
(every hash recomputed): the chain alone no longer shows it, the signed head does. Only the
dossiers whose head changed since the tree before get a ``TreeLeaf`` row; a tree's leaves
are each dossier's latest leaf up to it (``latest_leaves``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import Integer, Select, func, insert, literal, or_, select, text

from motcua.audit.integrity import merkle
from motcua.audit.integrity.signing import SigningKeyError, head_message, signing_key
from motcua.audit.models import TreeHead, TreeLeaf
from motcua.calendar.working_time import TZ
from motcua.db import db, is_postgresql, lock_for_write
from motcua.errors import Conflict, field_error
from motcua.history.models import HistoryEvent

# Any constant: the advisory lock two workers sealing at once take (PostgreSQL).
_SEAL_LOCK = 0x6D6F7463  # "motc"
STREAM_ROWS = 20_000


@dataclass(frozen=True)
class Sealed:
    head: TreeHead
    created: bool
    changed: int = 0  # leaves written: dossiers whose chain head moved since the tree before

    def summary(self) -> str:
        head = self.head
        if not self.created:
            at = head.signed_at.astimezone(TZ).strftime("%H:%M %d/%m/%Y")
            return f"Ngày {head.day:%d/%m/%Y} đã có đầu cây ký lúc {at}: không ký lại."
        return (f"Đã ký đầu cây ngày {head.day:%d/%m/%Y}: {head.size} hồ sơ, "
                f"{self.changed} đầu chuỗi mới, gốc {head.root}.")


def chain_heads(last_event_id: int) -> Select[int, int, str]:
    """Each dossier's stored last event among events up to ``last_event_id``: the highest
    position, and of several events claiming it (a forged duplicate) the one written last.
    One statement (a window over the events: twice as fast as grouping and joining back on
    PostgreSQL); the triggers keep stored rows from moving, not from being added."""
    event = HistoryEvent.__table__.c
    ranked = (select(event.dossier_id, event.seq, event.hash, func.row_number().over(
        partition_by=event.dossier_id, order_by=(event.seq.desc(), event.id.desc()))
        .label("rank")).where(event.id <= last_event_id).subquery("ranked"))
    return select(ranked.c.dossier_id, ranked.c.seq, ranked.c.hash).where(ranked.c.rank == 1)


def latest_leaves(tree_id: int) -> Select[int, int, str]:
    """The leaves of tree ``tree_id``: each dossier's latest leaf up to it (of two rows for
    one dossier in one tree, which only a forged row makes, the last written), by dossier."""
    leaf = TreeLeaf.__table__.c
    ranked = (select(leaf.dossier_id, leaf.size, leaf.head, func.row_number().over(
        partition_by=leaf.dossier_id, order_by=(leaf.tree_id.desc(), leaf.id.desc()))
        .label("rank")).where(leaf.tree_id <= tree_id).subquery("ranked"))
    return (select(ranked.c.dossier_id, ranked.c.size, ranked.c.head)
            .where(ranked.c.rank == 1).order_by(ranked.c.dossier_id))


def tree_leaves(tree_id: int) -> Iterator[tuple[int, int, str]]:
    """The tree's leaves (dossier id, size, head) in order, streamed."""
    rows = db.session.execute(latest_leaves(tree_id).execution_options(yield_per=STREAM_ROWS))
    for row in rows:
        yield row[0], row[1], row[2]


def leaf_hashes(tree_id: int) -> Iterator[bytes]:
    for dossier_id, size, head in tree_leaves(tree_id):
        yield merkle.leaf_hash(merkle.leaf_data(dossier_id, size, head))


def _lock() -> None:
    if is_postgresql():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SEAL_LOCK})
    else:
        lock_for_write()


def seal(day: date, at: datetime) -> Sealed:
    """Sign ``day``'s tree head over the chain heads as of the last event written now.
    Idempotent per day; days are sealed in order, none ahead of ``at``'s local date."""
    if day > at.astimezone(TZ).date():
        raise field_error("day", f"Ngày {day:%d/%m/%Y} chưa qua: không ký trước một ngày")
    _lock()
    existing = db.session.scalar(select(TreeHead).where(TreeHead.day == day)
                                 .order_by(TreeHead.id).limit(1))
    if existing is not None:
        return Sealed(existing, created=False)
    previous = db.session.scalar(select(TreeHead).order_by(TreeHead.id.desc()).limit(1))
    if previous is not None and previous.day > day:
        raise Conflict(f"Đã có đầu cây ngày {previous.day:%d/%m/%Y}: các ngày được ký theo "
                       "thứ tự, không ký bù một ngày trước đó")
    last_event_id = db.session.scalar(select(func.coalesce(func.max(HistoryEvent.id), 0))) or 0
    key = signing_key()
    head = TreeHead(day=day, signed_at=at, last_event_id=last_event_id, size=0,
                    root="", key_id=key.key_id, signature="")
    db.session.add(head)
    db.session.flush()
    changed = _write_changed_leaves(head.id, previous.id if previous else None, last_event_id)
    size, tree = merkle.size_and_root(leaf_hashes(head.id))
    head.size, head.root = size, tree.hex()
    head.signature = key.sign(head_message(day, at, size, head.root, last_event_id))
    db.session.flush()
    return Sealed(head, created=True, changed=changed)


def _write_changed_leaves(tree_id: int, previous_id: int | None, last_event_id: int) -> int:
    """One INSERT … SELECT: the heads that differ from the dossier's latest leaf."""
    heads = chain_heads(last_event_id).subquery("heads")
    query = select(literal(tree_id, Integer).label("tree_id"), heads.c.dossier_id,
                   heads.c.seq, heads.c.hash)
    if previous_id is not None:
        before = latest_leaves(previous_id).order_by(None).subquery("before")
        query = (query.outerjoin(before, before.c.dossier_id == heads.c.dossier_id)
                 .where(or_(before.c.dossier_id.is_(None), before.c.size != heads.c.seq,
                            before.c.head != heads.c.hash)))
    db.session.execute(insert(TreeLeaf).from_select(
        ["tree_id", "dossier_id", "size", "head"], query))
    # Counted, not the insert's rowcount: psycopg reports none for INSERT … SELECT here.
    return db.session.scalar(select(func.count()).where(TreeLeaf.tree_id == tree_id)) or 0


def seal_yesterday(at: datetime) -> str | None:
    """The worker's daily job: seal the local day that ended, once, when it is missing. A
    missing key is logged, not raised: the worker's timers must go on meanwhile."""
    yesterday = at.astimezone(TZ).date() - timedelta(days=1)
    latest = db.session.scalar(select(func.max(TreeHead.day)))
    if latest is not None and latest >= yesterday:
        return None
    try:
        return seal(yesterday, at).summary()
    except SigningKeyError as exc:
        current_app.logger.error("daily tree head not signed: %s", exc)
        return f"Lỗi: chưa ký được đầu cây ngày {yesterday:%d/%m/%Y}: {exc}"
