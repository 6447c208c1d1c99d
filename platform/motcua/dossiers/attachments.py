"""Scanned attachments: checked (size, count, real type from the file's own bytes), stored
under the instance folder by a random key with their SHA-256, never executed and only ever
served as a download."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import filetype
from flask import current_app, g

from motcua.db import db
from motcua.dossiers.models import Attachment, Dossier
from motcua.errors import Invalid
from motcua.org.models import User

# What a desk scans or an officer attaches: PDF and images. Anything else is refused.
ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png",
           "image/tiff": "tif"}


@dataclass
class Upload:
    filename: str
    content: bytes


def store_root() -> Path:
    root = Path(current_app.config.get("ATTACHMENT_DIR") or
                Path(current_app.instance_path) / "attachments")
    root.mkdir(parents=True, exist_ok=True)
    return root


def _clean_name(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "".join(ch for ch in base if ch.isprintable())[:200] or "tep-dinh-kem"


def check_uploads(uploads: list[Upload], field: str = "attachments") -> list[tuple[Upload, str]]:
    """Each upload with its detected type; every problem names the file."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    if len(uploads) > current_app.config["ATTACHMENT_MAX_FILES"]:
        raise Invalid("Quá nhiều tệp đính kèm", [{
            "field": field,
            "message": f"Tối đa {current_app.config['ATTACHMENT_MAX_FILES']} tệp mỗi lần"}])
    problems, checked = [], []
    for index, upload in enumerate(uploads):
        name = _clean_name(upload.filename)
        kind = filetype.guess(upload.content)
        mime = kind.mime if kind else None
        if not upload.content:
            problems.append({"field": f"{field}[{index}]", "message": f"Tệp {name} rỗng"})
        elif len(upload.content) > limit:
            problems.append({"field": f"{field}[{index}]", "message":
                             f"Tệp {name} lớn hơn {limit // (1024 * 1024)} MB"})
        elif mime not in ALLOWED:
            problems.append({"field": f"{field}[{index}]", "message":
                             f"Tệp {name} không phải PDF, JPEG, PNG hoặc TIFF"})
        else:
            checked.append((upload, mime))
    if problems:
        raise Invalid("Tệp đính kèm không hợp lệ", problems)
    return checked


def save_attachments(dossier: Dossier, uploads: list[Upload], user: User,
                     at: datetime) -> tuple[list[Attachment], list[Path]]:
    """Write the files and add their rows; returns the paths written so a caller whose
    transaction fails can remove them (``discard``)."""
    root = store_root()
    rows, written = [], []
    try:
        for upload, mime in check_uploads(uploads):
            key = f"{at:%Y}/{secrets.token_hex(16)}.{ALLOWED[mime]}"
            path = root / key
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(upload.content)
            written.append(path)
            g.setdefault("motcua_written", []).append(path)
            row = Attachment(dossier_id=dossier.id, filename=_clean_name(upload.filename),
                             content_type=mime, size=len(upload.content),
                             sha256=hashlib.sha256(upload.content).hexdigest(),
                             storage_key=key, uploaded_at=at, uploaded_by_id=user.id)
            db.session.add(row)
            rows.append(row)
        db.session.flush()
    except Exception:
        discard(written)
        raise
    return rows, written


def discard(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def remove_written() -> None:
    """The request's transaction rolled back: its files must not outlive it."""
    discard(g.pop("motcua_written", []))


def forget_written() -> None:
    g.pop("motcua_written", None)


def attachment_path(attachment: Attachment) -> Path:
    path = (store_root() / attachment.storage_key).resolve()
    if store_root().resolve() not in path.parents:
        raise Invalid("Đường dẫn tệp không hợp lệ")
    return path
