"""A scanned file written in a transaction that rolls back never outlives it, whoever drives
the transaction: the session's own events remove it."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from motcua.clock import now
from motcua.db import db
from motcua.dossiers.attachments import Upload, save_attachments, store_root
from motcua.dossiers.models import Attachment, Dossier
from motcua.errors import Conflict
from motcua.org.models import User
from support.walk import Walker
from support.web import Browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def dossier(walker: Walker) -> Dossier:
    code = walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap")["code"]
    db.session.commit()  # end the transaction the API call left open in this context
    found = db.session.scalar(select(Dossier).where(Dossier.code == code))
    assert found is not None
    return found


def _save(dossier: Dossier, name: str = "scan.pdf") -> Path:
    user = db.session.scalar(select(User).where(User.username == "mc.lan"))
    assert user is not None
    _rows, written = save_attachments(dossier, [Upload(name, PDF)], user, now())
    assert len(written) == 1 and written[0].exists()
    return written[0]


def _names(dossier_id: int) -> list[str]:
    return list(db.session.scalars(select(Attachment.filename)
                                   .where(Attachment.dossier_id == dossier_id)
                                   .order_by(Attachment.id)))


def test_a_rollback_removes_the_file(dossier: Dossier) -> None:
    dossier_id = dossier.id
    path = _save(dossier)
    db.session.rollback()
    assert not path.exists()
    assert _names(dossier_id) == []


def test_a_commit_keeps_the_file_and_a_later_rollback_leaves_it(dossier: Dossier) -> None:
    path = _save(dossier)
    db.session.commit()
    assert path.exists()
    _names(dossier.id)  # a new transaction, rolled back with nothing of its own
    db.session.rollback()
    assert path.exists()
    assert _names(dossier.id) == ["scan.pdf"]


def test_a_session_closed_without_commit_removes_the_file(dossier: Dossier) -> None:
    path = _save(dossier)
    db.session.close()
    assert not path.exists()


def test_a_rolled_back_savepoint_takes_only_its_own_files(dossier: Dossier) -> None:
    # The savepoint's rows are gone, so its files would be orphans; the enclosing
    # transaction's file stays, and is kept when that transaction commits.
    dossier_id = dossier.id
    outer = _save(dossier, "outer.pdf")
    savepoint = db.session.begin_nested()
    inner = _save(dossier, "inner.pdf")
    nested = db.session.begin_nested()
    innermost = _save(dossier, "innermost.pdf")
    nested.commit()
    savepoint.rollback()
    assert outer.exists()
    assert not inner.exists() and not innermost.exists()
    db.session.commit()
    assert outer.exists()
    assert _names(dossier_id) == ["outer.pdf"]


def test_a_released_savepoint_hands_its_files_to_the_enclosing_transaction(
        dossier: Dossier) -> None:
    with db.session.begin_nested():
        inner = _save(dossier, "inner.pdf")
    assert inner.exists()
    after = _save(dossier, "after.pdf")
    db.session.rollback()
    assert not inner.exists() and not after.exists()


def test_a_request_that_fails_after_writing_keeps_no_file(
        app: Flask, dossier: Dossier, monkeypatch: pytest.MonkeyPatch) -> None:
    import motcua.web.dossier_pages as pages

    before = set(store_root().rglob("*.pdf"))
    browser = Browser(app, "mc.lan")
    attach = f"/dossiers/{dossier.code}/attachments"
    kept = browser.post(attach, {"attachments": [(io.BytesIO(PDF), "kept.pdf")]},
                        content_type="multipart/form-data")
    assert kept.status_code == 302

    def fail(*_args: Any, **_kwargs: Any) -> None:
        raise Conflict("Hồ sơ vừa được người khác cập nhật")

    monkeypatch.setattr(pages, "flash", fail)  # after the file is written, before commit
    failed = browser.post(attach, {"attachments": [(io.BytesIO(PDF), "lost.pdf")]},
                          content_type="multipart/form-data")
    assert failed.status_code == 409
    db.session.rollback()
    rows = list(db.session.scalars(select(Attachment).where(
        Attachment.dossier_id == dossier.id)))
    assert [row.filename for row in rows] == ["kept.pdf"]
    assert set(store_root().rglob("*.pdf")) - before == {store_root() / rows[0].storage_key}
