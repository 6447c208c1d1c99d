"""Every auditor read lands in the access log of its own (who, when, what), refused reads
too, and never in a dossier's history; other users' reads are not logged."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from motcua.audit.models import AccessLog
from motcua.db import db
from motcua.history.models import HistoryEvent
from motcua.org.models import User
from support.api import Api, new_dossier
from support.paths import passwords
from support.web import Isolated, sign_in


def _logs() -> list[AccessLog]:
    return list(db.session.scalars(select(AccessLog).order_by(AccessLog.id)))


def _events() -> int:
    return int(db.session.scalar(select(func.count(HistoryEvent.id))) or 0)


def test_an_auditors_dossier_read_is_logged_outside_the_history(api: Api, sample: Any) -> None:
    code = new_dossier(api)["code"]
    events = _events()
    assert api.get("ks.nga", f"/dossiers/{code}").status_code == 200
    assert api.get("ks.nga", f"/dossiers/{code}/history").status_code == 200
    logs = _logs()
    auditor = db.session.scalar(select(User).where(User.username == "ks.nga"))
    assert auditor is not None
    assert [(log.user_id, log.method, log.path, log.dossier_code, log.status) for log in logs] == [
        (auditor.id, "GET", f"/api/v1/dossiers/{code}", code, 200),
        (auditor.id, "GET", f"/api/v1/dossiers/{code}/history", code, 200),
    ]
    assert _events() == events


def test_a_refused_read_is_logged_too(api: Api, sample: Any) -> None:
    assert api.get("ks.nga", "/dossiers/NO-SUCH-CODE").status_code == 404
    [log] = _logs()
    assert (log.path, log.dossier_code, log.status) == (
        "/api/v1/dossiers/NO-SUCH-CODE", "NO-SUCH-CODE", 404)


def test_other_users_reads_are_not_logged(api: Api, sample: Any) -> None:
    code = new_dossier(api)["code"]
    assert api.get("mc.lan", f"/dossiers/{code}").status_code == 200
    assert api.get("gd.son", f"/dossiers/{code}").status_code == 200
    assert _logs() == []


def test_auditors_read_the_log_and_officers_may_not(api: Api, sample: Any) -> None:
    code = new_dossier(api)["code"]
    api.get("ks.nga", f"/dossiers/{code}")
    answer = api.get("ks.nga", f"/audit/access-log?dossier={code}")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["total"] == 1
    assert body["items"][0]["username"] == "ks.nga"
    assert body["items"][0]["path"] == f"/api/v1/dossiers/{code}"
    assert api.get("mc.lan", "/audit/access-log").status_code == 403
    # A NUL (PostgreSQL refuses to compare text with one) is refused before any view: in
    # a path, nothing is read, so nothing is logged; in the log's own filters, a 422.
    assert api.get("ks.nga", "/dossiers/X%00Y").status_code == 422
    assert api.get("ks.nga", "/audit/access-log?dossier=X%00Y").status_code == 422
    assert api.get("ks.nga", "/audit/access-log?user=ks.nga%00").status_code == 422
    bad = api.get("ks.nga", "/audit/access-log?from=2026-13-40")
    assert bad.status_code == 422
    assert bad.get_json()["error"]["details"][0]["field"] == "from"


def test_the_access_log_page_lists_page_reads(client: Any, sample: Any,
                                              sample_org: dict[str, Any], api: Api) -> None:
    code = new_dossier(api)["code"]
    browser = Isolated(client)
    sign_in(browser, "ks.nga", passwords(sample_org["users"])["ks.nga"])
    assert browser.get(f"/dossiers/{code}").status_code == 200
    page = browser.get("/audit/access-log")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f"GET /dossiers/{code}" in html and "Ngô Thị Nga" in html
    csv = browser.get("/audit/access-log?format=csv")
    assert csv.data.startswith("\ufeff".encode()) and code.encode() in csv.data


def test_a_log_that_cannot_be_kept_does_not_turn_a_refusal_into_a_500(
        api: Api, sample: Any, monkeypatch: Any) -> None:
    from sqlalchemy.exc import OperationalError

    session = db.session()
    real_commit = session.commit

    def failing_commit() -> None:
        if any(isinstance(row, AccessLog) for row in session.new):
            raise OperationalError("COMMIT", {}, Exception("the database went away"))
        real_commit()

    monkeypatch.setattr(session, "commit", failing_commit)
    assert api.get("ks.nga", "/dossiers/NO-SUCH-CODE").status_code == 404
    monkeypatch.undo()
    assert _logs() == []
