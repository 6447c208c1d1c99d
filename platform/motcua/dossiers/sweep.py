"""The worker's sweep of the attachment store: a file with no attachment row, older than the
grace period, is removed and logged. A request's rollback removes its own files, but a
process killed mid-upload leaves them behind (or a temporary file, see ``write_whole``).

The grace period (``ATTACHMENT_ORPHAN_GRACE_SECONDS``, an hour by default) is what keeps an
upload whose transaction has not committed yet from being swept: its file is seconds old.
Ages are the files' own times against the wall clock, whatever clock the application runs
on. Only names the store itself gives (``YYYY/<32 hex>.<ext>`` and their temporary names)
are ever touched, whatever else the folder holds."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select

from motcua.db import db
from motcua.dossiers.attachments import ALLOWED, TEMP_SUFFIX, store_root
from motcua.dossiers.models import Attachment

_EXTENSIONS = "|".join(sorted(set(ALLOWED.values())))
_NAME = re.compile(
    rf"[0-9a-f]{{32}}\.(?:{_EXTENSIONS})(?:\.[0-9a-f]{{8}}{re.escape(TEMP_SUFFIX)})?")
_YEAR = re.compile(r"\d{4}")
# The worker runs every half minute; walking the whole store that often is waste.
SWEEP_EVERY_SECONDS = 600
_BATCH = 500
_LAST_SWEEP = "motcua_attachment_sweep"


def register_sweep(app: Flask) -> None:
    """Make the sweep one of the jobs ``motcua worker`` runs each round."""
    app.extensions.setdefault("motcua_daily_jobs", []).append(sweep_when_due)


def sweep_when_due(_at: datetime) -> str | None:
    """The worker's job: sweep on the first round, then every ``SWEEP_EVERY_SECONDS``."""
    last = current_app.extensions.get(_LAST_SWEEP)
    if last is not None and time.monotonic() - last < SWEEP_EVERY_SECONDS:
        return None
    current_app.extensions[_LAST_SWEEP] = time.monotonic()
    removed = remove_orphans(float(current_app.config["ATTACHMENT_ORPHAN_GRACE_SECONDS"]))
    return f"Đã xoá {len(removed)} tệp đính kèm không có trong cơ sở dữ liệu" if removed else None


def remove_orphans(grace_seconds: float) -> list[str]:
    """Remove the store's files older than ``grace_seconds`` that no attachment row names;
    answer their keys."""
    root = store_root()
    removed: list[str] = []
    for batch in _batches(_old_files(root, time.time() - grace_seconds)):
        kept = set(db.session.scalars(
            select(Attachment.storage_key).where(Attachment.storage_key.in_(batch))))
        for key in batch:
            if key in kept:
                continue
            (root / key).unlink(missing_ok=True)
            current_app.logger.warning("attachment store: removed %s, which no attachment "
                                       "row names (an upload cut off by a crash)", key)
            removed.append(key)
    return removed


def _old_files(root: Path, cutoff: float) -> Iterator[str]:
    for year in sorted(os.scandir(root), key=lambda e: e.name):
        if not (year.is_dir(follow_symlinks=False) and _YEAR.fullmatch(year.name)):
            continue
        with os.scandir(year.path) as entries:
            for entry in entries:
                if (_NAME.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)
                        and entry.stat(follow_symlinks=False).st_mtime < cutoff):
                    yield f"{year.name}/{entry.name}"


def _batches(keys: Iterator[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    for key in keys:
        batch.append(key)
        if len(batch) == _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch
