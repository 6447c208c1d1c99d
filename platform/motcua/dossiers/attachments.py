"""Scanned attachments: checked (size, count, real type from the file's own bytes), stored
under the instance folder by a random key with their SHA-256, never executed and only ever
served as a download.

A file written in a transaction that rolls back never outlives it, whoever drives the
transaction (a request, a CLI command, a test): the session's own events delete it, so no
caller has to remember to. Files written inside a savepoint go with the savepoint when it
rolls back; when it is released they belong to the enclosing transaction."""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import filetype
from flask import current_app
from sqlalchemy import event, update
from sqlalchemy.orm import Session, SessionTransaction

from motcua.db import db
from motcua.dossiers.models import Attachment, AttachmentKind, Dossier
from motcua.errors import Invalid
from motcua.org.models import User

# What a desk scans or an officer attaches: PDF and images. Anything else is refused.
ALLOWED = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png",
           "image/tiff": "tif"}
# The extensions those types go by, for a download's name.
_TYPE_EXTENSIONS = {*ALLOWED.values(), "jpeg", "jpe", "tiff"}
# What a file being written is called until it is whole.
TEMP_SUFFIX = ".partial"


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


def save_attachments(dossier: Dossier, uploads: list[Upload], user: User, at: datetime,
                     kind: AttachmentKind = AttachmentKind.DOSSIER
                     ) -> tuple[list[Attachment], list[Path]]:
    """Write the files and add their rows (all of ``kind``: the dossier's documents, or the
    electronic copy of its result); returns both. A rollback of the session's transaction
    (or of a savepoint the files were written in) removes the files itself."""
    root = store_root()
    rows, written = [], []
    try:
        for upload, mime in check_uploads(uploads):
            key = f"{at:%Y}/{secrets.token_hex(16)}.{ALLOWED[mime]}"
            path = root / key
            # Listed before it exists: a failure halfway through still removes what was put.
            written.append(path)
            _written(db.session()).append(path)
            write_whole(path, upload.content)
            row = Attachment(dossier_id=dossier.id, filename=_clean_name(upload.filename),
                             content_type=mime, size=len(upload.content),
                             sha256=hashlib.sha256(upload.content).hexdigest(),
                             storage_key=key, kind=kind, uploaded_at=at,
                             uploaded_by_id=user.id)
            db.session.add(row)
            rows.append(row)
        # One atomic increment: two uploads at once both count, and the dossier's
        # optimistic lock is not spent on it.
        counter = Dossier.result_files if kind is AttachmentKind.RESULT else Dossier.dossier_files
        db.session.execute(update(Dossier).where(Dossier.id == dossier.id)
                           .values({counter: counter + len(rows)}))
        db.session.flush()
    except Exception:
        discard(written)
        raise
    return rows, written


def write_whole(path: Path, content: bytes) -> None:
    """Write under a temporary name (``TEMP_SUFFIX``), flushed to the disk, then rename: a
    crash midway leaves at most a temporary file, never a partial file under the final
    name. Either is swept later as an orphan (``motcua.dossiers.sweep``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f"{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    try:
        with open(temp, "xb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    # The rename is durable once the folder's entry is on the disk (POSIX only).
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def detected_type(path: Path) -> str | None:
    """The file's type read from its own first bytes, when it is one we store."""
    kind = filetype.guess(str(path))
    return kind.mime if kind is not None and kind.mime in ALLOWED else None


def download_name(filename: str, mime: str | None) -> str:
    """The uploaded name with the extension of the type its bytes really have, whatever
    extension it came with ("scan.exe" that is a PDF: "scan.pdf"; "anh.PNG.pdf" that is a
    PNG: "anh.png"); ``.bin`` for bytes of no type we store."""
    extension = ALLOWED.get(mime or "", "bin")
    stem = _without_extension(_clean_name(filename))
    # A type's extension left under the last one ("anh.PNG.pdf") goes too.
    inner = _without_extension(stem)
    if inner != stem and stem[len(inner) + 1:].lower() in _TYPE_EXTENSIONS:
        stem = inner
    return f"{stem}.{extension}"


def _without_extension(name: str) -> str:
    base, dot, ext = name.rpartition(".")
    is_extension = bool(dot and base.strip()) and 0 < len(ext) <= 5 and ext.isascii() \
        and ext.isalnum()
    return base if is_extension else name


def discard(paths: list[Path]) -> None:
    """Remove files now; a rollback does it anyway."""
    for path in paths:
        path.unlink(missing_ok=True)


# The files written in a session's transaction, in order, and for each open savepoint how
# many had been written when it began: its own files are those after that mark.
_WRITTEN = "motcua_written"
_SAVEPOINTS = "motcua_written_savepoints"


def _written(session: Session) -> list[Path]:
    written: list[Path] = session.info.setdefault(_WRITTEN, [])
    return written


def _savepoints(session: Session) -> dict[SessionTransaction, int]:
    marks: dict[SessionTransaction, int] = session.info.setdefault(_SAVEPOINTS, {})
    return marks


@event.listens_for(db.session, "after_transaction_create")
def _savepoint_began(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        _savepoints(session)[transaction] = len(_written(session))


@event.listens_for(db.session, "after_commit")
def _committed(session: Session) -> None:
    # Fired for a released savepoint too, while it is still the innermost one.
    savepoint = session.get_nested_transaction()
    if savepoint is not None:
        _savepoints(session).pop(savepoint, None)  # its files now belong to the parent
    else:
        _written(session).clear()  # kept for good


@event.listens_for(db.session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    # A commit has already settled its files above; whatever a transaction that ends
    # here still holds was rolled back (or closed unfinished) with it.
    if transaction.nested:
        mark = _savepoints(session).pop(transaction, None)
        if mark is not None:
            written = _written(session)
            discard(written[mark:])
            del written[mark:]
    elif transaction.parent is None:
        written = _written(session)
        discard(written)
        written.clear()


def attachment_path(attachment: Attachment) -> Path:
    path = (store_root() / attachment.storage_key).resolve()
    if store_root().resolve() not in path.parents:
        raise Invalid("Đường dẫn tệp không hợp lệ")
    return path
