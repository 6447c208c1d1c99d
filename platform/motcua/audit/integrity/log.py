"""The log of signed heads: every tree head's signed message, in the order they were signed,
as the leaves of one more RFC 9162 tree. Unlike the daily trees (whose leaves, the dossiers'
chain heads, move every day), this log only grows, so a consistency proof shows that today's
log still begins with the one a printed daily report recorded.

What it catches: head rows deleted or replaced after the fact. A superuser who rewrites a
chain and then deletes every head that signed its old state leaves the chains and the
remaining heads consistent with each other; the log root printed on an earlier report no
longer is a prefix of the log."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from motcua.audit.integrity import merkle
from motcua.audit.integrity.signing import head_message
from motcua.audit.models import TreeHead
from motcua.db import db
from motcua.errors import field_error


@dataclass(frozen=True)
class LogState:
    size: int
    root: str


@dataclass(frozen=True)
class Consistency:
    """Does today's log extend the one of ``size`` heads with ``root``?"""

    consistent: bool
    size: int
    root: str
    current: LogState
    proof: list[str]

    def as_dict(self) -> dict[str, object]:
        return {"consistent": self.consistent, "size": self.size, "root": self.root,
                "current_size": self.current.size, "current_root": self.current.root,
                "consistency_proof": self.proof}


def _leaves(upto_id: int | None = None) -> list[bytes]:
    query = select(TreeHead).order_by(TreeHead.id)
    if upto_id is not None:
        query = query.where(TreeHead.id <= upto_id)
    return [merkle.leaf_hash(head_message(h.day, h.signed_at, h.size, h.root, h.last_event_id))
            for h in db.session.scalars(query)]


def log_state(head: TreeHead | None = None) -> LogState:
    """The log up to ``head`` (included), or the whole log."""
    leaves = _leaves(head.id if head is not None else None)
    return LogState(len(leaves), merkle.root(leaves).hex())


def consistency(size: int, root: str) -> Consistency:
    """Check a printed log state (``size`` heads, ``root``) against today's log, with the
    RFC 9162 consistency proof that anyone can check again offline."""
    try:
        printed = bytes.fromhex(root)
    except ValueError:
        raise field_error("root", "Gốc sổ là 64 chữ số thập lục phân") from None
    if len(printed) != merkle.HASH_SIZE:
        raise field_error("root", "Gốc sổ là 64 chữ số thập lục phân")
    leaves = _leaves()
    current = LogState(len(leaves), merkle.root(leaves).hex())
    if not 0 <= size <= len(leaves):
        return Consistency(False, size, root, current, [])
    proof = merkle.consistency_proof(leaves, size)
    ok = merkle.verify_consistency(size, len(leaves), printed, bytes.fromhex(current.root),
                                   proof)
    return Consistency(ok, size, root, current, [p.hex() for p in proof])
