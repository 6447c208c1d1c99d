"""Files after faults: a file is written under a temporary name and renamed when whole; the
worker sweeps the store's files that no row names once they are past the grace period (and
nothing else); a download is named with the extension of the type its bytes have."""

from __future__ import annotations

import io
import os
import struct
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from motcua.clock import now
from motcua.db import db
from motcua.dossiers import attachments
from motcua.dossiers.attachments import Upload, download_name, save_attachments, store_root
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.sweep import remove_orphans
from motcua.org.models import User
from support.walk import Walker
from support.web import Browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HOUR = 3600


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


@pytest.fixture
def store(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setitem(app.config, "ATTACHMENT_DIR", str(tmp_path / "store"))
    return store_root()


@pytest.fixture
def dossier(walker: Walker, store: Path) -> Dossier:
    code = walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap")["code"]
    db.session.commit()
    found = db.session.scalar(select(Dossier).where(Dossier.code == code))
    assert found is not None
    return found


def _save(dossier: Dossier, name: str = "scan.pdf", content: bytes = PDF) -> Path:
    user = db.session.scalar(select(User).where(User.username == "mc.lan"))
    assert user is not None
    _rows, written = save_attachments(dossier, [Upload(name, content)], user, now())
    return written[0]


def _aged(path: Path, seconds: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(PDF)
    past = time.time() - seconds
    os.utime(path, (past, past))
    return path


def test_a_write_cut_off_leaves_nothing_under_the_final_name(
        dossier: Dossier, store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(_source: Any, _target: Any) -> None:
        raise OSError("disk full")

    with monkeypatch.context() as patched, pytest.raises(OSError):
        patched.setattr(attachments.os, "replace", crash)
        _save(dossier)
    db.session.rollback()
    assert [p for p in store.rglob("*") if p.is_file()] == []
    path = _save(dossier)
    db.session.commit()
    assert path.read_bytes() == PDF
    assert [p for p in store.rglob("*") if p.is_file()] == [path]


def test_the_sweep_removes_old_files_without_a_row_and_nothing_else(
        app: Flask, dossier: Dossier, store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = _aged(_save(dossier), 2 * HOUR)
    db.session.commit()
    year = kept.parent
    orphan = _aged(year / ("ab" * 16 + ".pdf"), 2 * HOUR)
    partial = _aged(year / ("cd" * 16 + ".png.0123abcd.partial"), 2 * HOUR)
    fresh = _aged(year / ("ef" * 16 + ".pdf"), 60)  # its transaction may still commit
    foreign = _aged(store / "ghi-chu.txt", 2 * HOUR)
    foreign_in_year = _aged(year / "README.pdf", 2 * HOUR)
    # Read from the app's logger itself: Alembic's logging set-up may have disabled it.
    logged: list[str] = []
    monkeypatch.setattr(app.logger, "warning", lambda msg, *args: logged.append(msg % args))
    removed = remove_orphans(HOUR)
    assert sorted(removed) == sorted(f"{year.name}/{p.name}" for p in (orphan, partial))
    assert not orphan.exists() and not partial.exists()
    assert kept.exists() and fresh.exists() and foreign.exists() and foreign_in_year.exists()
    assert len(logged) == 2 and orphan.name in logged[0] + logged[1]
    assert remove_orphans(HOUR) == []


def test_the_worker_sweeps(app: Flask, dossier: Dossier, store: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    kept = _save(dossier)
    db.session.commit()
    orphan = _aged(kept.parent / ("ab" * 16 + ".tif"), 10)
    monkeypatch.setitem(app.config, "ATTACHMENT_ORPHAN_GRACE_SECONDS", 5)
    app.extensions.pop("motcua_attachment_sweep", None)  # swept already this session
    result = app.test_cli_runner().invoke(args=["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "Đã xoá 1 tệp đính kèm" in result.output
    assert kept.exists() and not orphan.exists()


@pytest.mark.parametrize(("uploaded", "content", "mime", "downloaded"), [
    ("scan.exe", PDF, "application/pdf", "scan.pdf"),
    ("anh.PNG.pdf", png(), "image/png", "anh.png"),
    ("bao-cao.thang.3.jpg", PDF, "application/pdf", "bao-cao.thang.3.pdf"),
    ("khong-duoi", png(), "image/png", "khong-duoi.png"),
])
def test_a_download_is_named_for_the_type_of_its_bytes(
        app: Flask, dossier: Dossier, uploaded: str, content: bytes, mime: str,
        downloaded: str) -> None:
    browser = Browser(app, "mc.lan")
    answer = browser.post(f"/dossiers/{dossier.code}/attachments",
                          {"attachments": [(io.BytesIO(content), uploaded)]},
                          content_type="multipart/form-data")
    assert answer.status_code == 302, answer.get_data(as_text=True)
    row = db.session.scalar(select(Attachment).where(Attachment.dossier_id == dossier.id))
    assert row is not None and row.filename == uploaded
    response = browser.get(f"/dossiers/{dossier.code}/attachments/{row.id}")
    assert response.status_code == 200 and response.get_data() == content
    assert response.mimetype == mime
    assert response.headers["Content-Disposition"] == f"attachment; filename={downloaded}"


def test_a_stored_file_of_no_known_type_downloads_as_bin() -> None:
    assert download_name("scan.pdf", None) == "scan.bin"
    assert download_name("Giấy tờ. bản sao", "application/pdf") == "Giấy tờ. bản sao.pdf"
    assert download_name("x.pdf.exe", "application/pdf") == "x.pdf"
