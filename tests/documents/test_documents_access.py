"""Who may print a dossier's documents, and what an absent document answers."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from motcua.db import db
from motcua.dossiers.models import IssuedDocument
from support.api import PROCEDURE
from support.documents import START_FORM, browser, text_of
from support.walk import Walker

KINDS = ("receipt", "supplement", "refusal", "apology", "stop", "control_slip")


@pytest.fixture
def accepted(walker: Walker) -> str:
    code = str(walker.create("mc.lan", PROCEDURE, START_FORM)["code"])
    walker.complete("mc.lan", code, "accept")
    walker.complete("tp.hung", code, assignee="cv.mai")
    return code


def test_another_agency_never_learns_the_dossier_exists(accepted: str, app: Flask) -> None:
    for username in ("xa.hoa", "xa.chutich"):
        client = browser(app, username)
        for kind in KINDS:
            for suffix in ("", "?format=pdf"):
                response = client.get(f"/dossiers/{accepted}/documents/{kind}{suffix}")
                assert response.status_code == 404, (username, kind, suffix)
        missing = client.get("/dossiers/000.00.12.H99-260316-9999/documents/receipt")
        assert missing.status_code == 404
        # The same answer, word for word, as for a code that does not exist.
        assert text_of(missing.get_data(as_text=True)).replace("9999", "0001") == text_of(
            client.get(f"/dossiers/{accepted}/documents/receipt").get_data(as_text=True))


def test_those_who_work_on_it_may_print(accepted: str, app: Flask) -> None:
    # The desk, the specialist holding it, the agency's leader, the auditor.
    for username in ("mc.tuan", "cv.mai", "gd.son", "ks.nga"):
        response = browser(app, username).get(f"/dossiers/{accepted}/documents/receipt")
        assert response.status_code == 200, username


def test_anonymous_visitors_are_sent_to_login(accepted: str, client: FlaskClient) -> None:
    for suffix in ("", "?format=pdf"):
        response = client.get(f"/dossiers/{accepted}/documents/receipt{suffix}")
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
        assert f"/dossiers/{accepted}/documents/receipt" in response.headers["Location"]


def test_absent_documents_say_so_in_vietnamese(accepted: str, app: Flask) -> None:
    client = browser(app, "mc.lan")
    response = client.get(f"/dossiers/{accepted}/documents/apology")
    assert response.status_code == 404
    assert (f"Hồ sơ {accepted} chưa có Văn bản xin lỗi và hẹn lại ngày trả kết quả (Mẫu số 04)"
            in text_of(response.get_data(as_text=True)))
    for kind in ("result", "bogus", "tracking_book"):
        assert client.get(f"/dossiers/{accepted}/documents/{kind}").status_code == 404, kind
    receipt = db.session.scalar(select(IssuedDocument).where(IssuedDocument.kind == "receipt"))
    assert receipt is not None
    path = f"/dossiers/{accepted}/documents"
    assert client.get(f"{path}/receipt?id={receipt.id}").status_code == 200
    # An id of another kind, of nothing, or not a number at all.
    assert client.get(f"{path}/supplement?id={receipt.id}").status_code == 404
    assert client.get(f"{path}/receipt?id={receipt.id + 100}").status_code == 404
    assert client.get(f"{path}/receipt?id=abc").status_code == 404
    assert client.get(f"{path}/receipt?format=docx").status_code == 404
