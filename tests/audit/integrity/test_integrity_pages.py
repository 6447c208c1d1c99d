"""The auditor's integrity page and API: the signed heads and the public key, the check
button (CSRF) naming a tampered dossier with a link and the event's position, each day's
printable report (HTML and PDF) whose message verifies offline, and nobody else let in."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask import Flask
from integrity_support import dossier_id, event_id, new_dossier, tamper

from motcua.audit.integrity import merkle
from motcua.audit.integrity.seal import seal
from motcua.db import db
from support.api import Api
from support.clock import FakeClock
from support.walk import Walker
from support.web import Browser, Isolated, text

DAY = "2026-03-16"


@pytest.fixture
def sealed(walker: Walker, clock: FakeClock) -> list[str]:
    codes = [new_dossier(walker), new_dossier(walker, steps=1)]
    db.session.commit()
    seal(clock().date(), clock())
    db.session.commit()
    return codes


def _public(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    assert isinstance(key, Ed25519PublicKey)
    return key


def test_the_page_shows_the_signed_heads_and_the_public_key(app: Flask, sealed: list[str],
                                                            api: Api) -> None:
    page = Browser(app, "ks.nga").get("/audit/integrity")
    assert page.status_code == 200
    html = text(page)
    heads = api.get("ks.nga", "/audit/integrity").get_json()
    [head] = heads["heads"]
    for value in (head["root"], head["signature"], heads["public_key"].splitlines()[1],
                  heads["key_id"], "Kiểm tra toàn vẹn", f'href="/audit/integrity/heads/{DAY}"'):
        assert value in html
    assert 'name="csrf_token"' in html and "audit-integrity.css" in html


def test_only_auditors_see_it(app: Flask, sealed: list[str], api: Api) -> None:
    assert Browser(app, "cv.mai").get("/audit/integrity").status_code == 403
    assert Browser(app, "gd.son").get(f"/audit/integrity/heads/{DAY}").status_code == 403
    anonymous = Isolated(app.test_client()).get("/audit/integrity")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    for user in ("cv.mai", "gd.son", "mc.lan"):
        assert api.get(user, "/audit/integrity").status_code == 403
        assert api.post(user, "/audit/integrity/verify", json={}).status_code == 403
    assert api.get(None, "/audit/integrity").status_code == 401


def test_the_check_button_names_the_tampered_dossier_and_position(app: Flask,
                                                                  sealed: list[str]) -> None:
    auditor = Browser(app, "ks.nga")
    refused = auditor.client.post("/audit/integrity/verify", data={"dossier": ""})
    assert refused.status_code == 400  # no CSRF token
    intact = auditor.post("/audit/integrity/verify", data={"dossier": ""})
    assert intact.status_code == 200 and "Toàn vẹn: 2 hồ sơ" in text(intact)
    target = sealed[0]
    tamper("UPDATE history_event SET note = 'sửa' WHERE id = :id", id=event_id(target, 2))
    html = text(auditor.post("/audit/integrity/verify", data={"dossier": ""}))
    assert f'<a href="/dossiers/{target}">{target}</a>' in html
    assert "<td>2</td>" in html and "Sự kiện bị sửa" in html
    assert f"{target}: sự kiện thứ 2 bị sửa" in html
    one = text(auditor.post("/audit/integrity/verify", data={"dossier": sealed[1]}))
    assert "Toàn vẹn: 1 hồ sơ" in one and "lá thứ 2/2" in one
    missing = auditor.post("/audit/integrity/verify", data={"dossier": "KHONG-CO"})
    assert missing.status_code == 404 and "Không tìm thấy hồ sơ KHONG-CO" in text(missing)
    # A NUL (PostgreSQL refuses to compare with one) is refused before any view, not a 500.
    nul = auditor.post("/audit/integrity/verify", data={"dossier": f"{sealed[1]}\x00"})
    assert nul.status_code == 422


def test_a_rewritten_head_is_shown_with_a_link_to_its_day(app: Flask, sealed: list[str]
                                                          ) -> None:
    tamper("UPDATE tree_head SET root = :r", r="00" * 32)
    html = text(Browser(app, "ks.nga").post("/audit/integrity/verify", data={}))
    assert f'<a href="/audit/integrity/heads/{DAY}">Ngày 16/03/2026</a>' in html
    assert "Gốc cây sai" in html and "Chữ ký sai" in html


def test_the_daily_report_carries_what_verifies_offline(app: Flask, sealed: list[str],
                                                        api: Api) -> None:
    auditor = Browser(app, "ks.nga")
    report = auditor.get(f"/audit/integrity/heads/{DAY}")
    assert report.status_code == 200
    html = text(report)
    [head] = api.get("ks.nga", "/audit/integrity").get_json()["heads"]
    assert "BÁO CÁO ĐẦU CÂY ĐÃ KÝ NGÀY 16/03/2026" in html
    for value in (head["root"], head["signature"], head["key_id"]):
        assert value in html
    # The message is printed exactly (JSON quotes escaped for HTML only) and verifies.
    printed = head["message"].replace('"', "&#34;")
    assert printed in html
    key = _public(api.get("ks.nga", "/audit/integrity").get_json()["public_key"])
    key.verify(bytes.fromhex(head["signature"]), head["message"].encode())
    pdf = auditor.get(f"/audit/integrity/heads/{DAY}?format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.get_data()[:5] == b"%PDF-"
    assert f'filename="dau-cay-{DAY}.pdf"' in pdf.headers["Content-Disposition"]
    assert auditor.get("/audit/integrity/heads/2026-03-15").status_code == 404
    assert auditor.get("/audit/integrity/heads/16-03-2026").status_code == 404
    assert auditor.get(f"/audit/integrity/heads/{DAY}?format=docx").status_code == 404


def test_the_api_lists_heads_and_verifies_with_an_inclusion_proof(
        app: Flask, sealed: list[str], api: Api, clock: FakeClock) -> None:
    answer = api.get("ks.nga", "/audit/integrity").get_json()
    [head] = answer["heads"]
    assert (head["day"], head["size"]) == (DAY, 2)
    _public(answer["public_key"]).verify(bytes.fromhex(head["signature"]),
                                         head["message"].encode())
    whole = api.post("ks.nga", "/audit/integrity/verify", json={}).get_json()
    assert whole["intact"] and (whole["dossiers"], whole["heads"]) == (2, 1)
    assert whole["problems"] == [] and whole["proof"] is None
    assert api.post("ks.nga", "/audit/integrity/verify").get_json()["intact"]  # no body
    one = api.post("ks.nga", "/audit/integrity/verify", json={"dossier": sealed[1]}).get_json()
    proof: dict[str, Any] = one["proof"]
    leaf = merkle.leaf_hash(merkle.leaf_data(dossier_id(sealed[1]), proof["size"],
                                             proof["head"]))
    assert merkle.verify_inclusion(proof["leaf_index"], proof["tree_size"], leaf,
                                   [bytes.fromhex(p) for p in proof["inclusion_proof"]],
                                   bytes.fromhex(head["root"]))
    tamper("DELETE FROM history_event WHERE id = :id", id=event_id(sealed[0], 2))
    broken = api.post("ks.nga", "/audit/integrity/verify", json={"dossier": None}).get_json()
    assert not broken["intact"]
    assert [(p["kind"], p["dossier"], p["position"]) for p in broken["problems"]] == [
        ("deleted", sealed[0], 2)]
    missing = api.post("ks.nga", "/audit/integrity/verify", json={"dossier": "KHONG-CO"})
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert api.post("ks.nga", "/audit/integrity/verify", json={"dossier": 7}).status_code == 422
    assert api.get("ks.nga", "/audit/integrity?limit=0").status_code == 422
