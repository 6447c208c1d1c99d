"""The log of signed heads: each daily report prints its size and root, and today's log must
prove (RFC 9162 consistency) that it begins with it. The attack it exists for: a chain
rewritten, then every head that signed its old state deleted, and the next night's seal
signing the rewritten chain; the chains and the remaining heads then agree with each other,
and only the printed report tells."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from integrity_support import new_dossier, rewrite, tamper
from sqlalchemy import text

from motcua.audit.integrity import merkle
from motcua.audit.integrity.log import consistency, log_state
from motcua.audit.integrity.seal import seal
from motcua.audit.integrity.verify import verify_all
from motcua.db import db
from support.api import Api
from support.clock import FakeClock
from support.walk import Walker
from support.web import Browser
from support.web import text as page_text


def _seal(clock: FakeClock) -> None:
    seal(clock().date(), clock())
    db.session.commit()
    clock.advance(days=1)


def test_todays_log_proves_it_extends_every_printed_one(walker: Walker, clock: FakeClock,
                                                        api: Api) -> None:
    new_dossier(walker)
    db.session.commit()
    printed = []
    for _day in range(3):
        _seal(clock)
        printed.append(log_state())
    assert [p.size for p in printed] == [1, 2, 3]
    today = log_state()
    for state in printed:
        check = consistency(state.size, state.root)
        assert check.consistent and check.current == today
        assert merkle.verify_consistency(state.size, today.size, bytes.fromhex(state.root),
                                         bytes.fromhex(today.root),
                                         [bytes.fromhex(p) for p in check.proof])
    assert not consistency(2, printed[0].root).consistent  # a root of another size
    assert not consistency(4, today.root).consistent  # more heads than there are
    answer = api.get("ks.nga", f"/audit/integrity/consistency?size=2&root={printed[1].root}")
    assert answer.status_code == 200 and answer.get_json()["consistent"]
    assert answer.get_json()["current_size"] == 3
    assert api.get("ks.nga", "/audit/integrity").get_json()["log"] == {
        "size": 3, "root": today.root}
    assert api.get("ks.nga", "/audit/integrity/consistency?size=2&root=ab").status_code == 422
    assert api.get("cv.mai", f"/audit/integrity/consistency?size=2&root={today.root}"
                   ).status_code == 403


def test_deleted_heads_and_a_re_signed_rewrite_are_caught_by_the_printed_report(
        app: Flask, walker: Walker, clock: FakeClock) -> None:
    target = new_dossier(walker)
    db.session.commit()
    monday = clock().date()
    _seal(clock)
    report = Browser(app, "ks.nga").get(f"/audit/integrity/heads/{monday.isoformat()}")
    printed = log_state()
    assert f"{printed.size} đầu cây, gốc sổ <span class=\"hex\">{printed.root}</span>" in \
        page_text(report)
    rewrite(target, 2, "Viết lại")
    assert {p.kind for p in verify_all().problems} == {"rewritten"}
    # The forger removes what signed the old chain; tonight's seal signs the new one.
    tamper("DELETE FROM tree_leaf")
    db.session.execute(text("DELETE FROM tree_head"))
    db.session.commit()
    seal(monday + timedelta(days=1), clock())
    db.session.commit()
    assert verify_all().intact  # the database agrees with itself...
    assert not consistency(printed.size, printed.root).consistent  # ...not with the paper
    auditor = Browser(app, "ks.nga")
    html = page_text(auditor.get(f"/audit/integrity/log?size={printed.size}&root={printed.root}"))
    assert "Không khớp" in html
    today = log_state()
    assert "Khớp: sổ hôm nay" in page_text(
        auditor.get(f"/audit/integrity/log?size={today.size}&root={today.root}"))
    refused = auditor.get("/audit/integrity/log?size=x&root=ab")
    assert refused.status_code == 422 and "Ghi số đầu cây" in page_text(refused)
    assert auditor.get("/audit/integrity/log?size=1&root=xyz").status_code == 422
