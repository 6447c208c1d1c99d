"""What the integrity page and API do for an auditor: list the signed heads, show one day's
head with what it signs, and run the verification."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from motcua.audit.integrity.log import Consistency, LogState, consistency, log_state
from motcua.audit.integrity.signing import head_message, signing_key
from motcua.audit.integrity.verify import Report, verify_all, verify_dossier
from motcua.audit.models import TreeHead, TreeLeaf
from motcua.audit.scope import require_auditor
from motcua.calendar.working_time import TZ
from motcua.db import db
from motcua.errors import NotFound
from motcua.org.models import User

MAX_HEADS = 366


@dataclass(frozen=True)
class SignedHead:
    """A tree head with the exact bytes its signature covers (to verify it offline)."""

    head: TreeHead
    message: str
    changed: int | None = None  # leaves the day wrote (on the daily report only)

    def as_dict(self) -> dict[str, Any]:
        head = self.head
        return {"day": head.day, "signed_at": head.signed_at, "size": head.size,
                "root": head.root, "last_event_id": head.last_event_id,
                "key_id": head.key_id, "signature": head.signature, "message": self.message}


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    pem: str


def _signed(head: TreeHead, changed: int | None = None) -> SignedHead:
    message = head_message(head.day, head.signed_at, head.size, head.root, head.last_event_id)
    return SignedHead(head, message.decode(), changed)


def public_key(user: User) -> PublicKey:
    require_auditor(user)
    key = signing_key()
    return PublicKey(key.key_id, key.public_pem)


def latest_heads(user: User, limit: int = 30) -> list[SignedHead]:
    """The newest signed heads first."""
    require_auditor(user)
    heads = db.session.scalars(select(TreeHead).order_by(TreeHead.day.desc(), TreeHead.id.desc())
                               .limit(max(1, min(limit, MAX_HEADS))))
    return [_signed(head) for head in heads]


def parse_day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise NotFound(f"Không có ngày {value[:20]}: ghi ngày dạng YYYY-MM-DD") from None


def head_of(user: User, day: str) -> tuple[SignedHead, SignedHead | None, LogState]:
    """The day's signed head (with the leaves it wrote), the head before it, and the log of
    heads up to this one (what the printed report keeps to check the log against later)."""
    require_auditor(user)
    wanted = parse_day(day)
    head = db.session.scalar(select(TreeHead).where(TreeHead.day == wanted)
                             .order_by(TreeHead.id).limit(1))
    if head is None:
        raise NotFound(f"Chưa có đầu cây đã ký ngày {wanted:%d/%m/%Y}")
    changed = db.session.scalar(select(func.count()).where(TreeLeaf.tree_id == head.id)) or 0
    before = db.session.scalar(select(TreeHead).where(TreeHead.id < head.id)
                               .order_by(TreeHead.id.desc()).limit(1))
    return (_signed(head, changed), (_signed(before) if before is not None else None),
            log_state(head))


def current_log(user: User) -> LogState:
    require_auditor(user)
    return log_state()


def check_log(user: User, size: int, root: str) -> Consistency:
    """Does today's log of heads extend the one a printed report recorded?"""
    require_auditor(user)
    return consistency(size, root.strip().lower())


def check(user: User, code: str | None = None) -> Report:
    """Verify every history (or one dossier's): read only, whatever it finds."""
    require_auditor(user)
    code = (code or "").strip()
    return verify_dossier(code) if code else verify_all()


def local_time(at: datetime) -> str:
    return at.astimezone(TZ).strftime("%H:%M:%S %d/%m/%Y")
