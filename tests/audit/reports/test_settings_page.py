"""The audit settings page: who may open and change it, validation of every field, the
weights' sum, CSRF, and who changed what and when."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from motcua.audit.models import AuditSetting
from motcua.audit.settings import DEFAULTS, setting
from motcua.db import db
from motcua.org.models import User
from support.clock import FakeClock, local
from support.web import Browser, Isolated, text

VALID = {"process_update_days": "3", "report_period": "dates", "report_dates": "31/12, 30/6",
         "weight_publicity": "18", "weight_progress": "20", "weight_digitisation": "22",
         "weight_online": "22", "weight_satisfaction": "18"}


def test_an_auditor_changes_the_settings_and_sees_who_did(app: Flask, sample: Any,
                                                          clock: FakeClock) -> None:
    browser = Browser(app, "ks.nga")
    page = browser.get("/audit/settings")
    assert page.status_code == 200 and "Đang dùng giá trị mặc định" in text(page)
    clock.set(local(2026, 3, 20, 14, 5))
    saved = browser.post("/audit/settings", VALID)
    assert saved.status_code == 302
    assert setting("process_update_days") == 3
    assert setting("report_period") == "dates"
    assert setting("report_dates") == ["30/6", "31/12"]
    assert setting("index_weights") == DEFAULTS["index_weights"]
    auditor = db.session.scalar(select(User).where(User.username == "ks.nga"))
    assert auditor is not None
    rows = {row.key: row for row in db.session.scalars(select(AuditSetting))}
    # Unchanged values (the weights kept their defaults) are not written.
    assert set(rows) == {"process_update_days", "report_period", "report_dates"}
    assert {row.updated_by_id for row in rows.values()} == {auditor.id}
    html = text(browser.get("/audit/settings"))
    assert f"Sửa lần cuối: {auditor.full_name}, 20/03/2026 14:05" in html
    # The periodic list now follows the closing dates.
    assert "Kỳ chốt số liệu ngày 30/06/2026" in text(browser.get("/audit/reports"))


def test_every_wrong_field_is_named_and_nothing_is_saved(app: Flask, sample: Any) -> None:
    browser = Browser(app, "ks.nga")
    bad = {**VALID, "process_update_days": "-1", "report_period": "daily",
           "report_dates": "31/6", "weight_online": "-5", "weight_publicity": "abc"}
    page = browser.post("/audit/settings", bad)
    assert page.status_code == 422
    html = text(page)
    for field in ("process_update_days", "report_period", "report_dates", "weight_online",
                  "weight_publicity"):
        assert f'id="{field}-error"' in html, field
    assert 'value="31/6"' in html  # what was typed stays in the form
    assert db.session.scalar(select(AuditSetting)) is None


@pytest.mark.parametrize("days", ["²", "٣", "9" * 5000, "1e1", " ", "61"])
def test_a_number_of_days_that_is_not_plain_digits_is_named(app: Flask, sample: Any,
                                                            days: str) -> None:
    # "²".isdigit() is true and int("²") fails; so does int() of 5,000 digits.
    page = Browser(app, "ks.nga").post("/audit/settings", {**VALID, "process_update_days": days})
    assert page.status_code == 422
    assert 'id="process_update_days-error"' in text(page)
    assert db.session.scalar(select(AuditSetting)) is None


def test_weights_not_summing_to_100_are_saved_with_a_warning(app: Flask, sample: Any) -> None:
    browser = Browser(app, "ks.nga")
    response = browser.post("/audit/settings", {**VALID, "weight_online": "30"})
    assert response.status_code == 302
    assert setting("index_weights")["online"] == 30
    html = text(browser.get("/audit/settings"))
    assert "tổng trọng số là 108, không bằng 100 điểm" in html
    assert "Tổng: 108 điểm — không bằng 100 điểm" in html
    browser.post("/audit/settings", {**VALID, "weight_online": "21.5",
                                     "weight_satisfaction": "18,5"})
    assert setting("index_weights")["online"] == 21.5
    assert setting("index_weights")["satisfaction"] == 18.5


def test_only_auditors_and_system_administrators(app: Flask, sample: Any) -> None:
    for username in ("gd.son", "cv.mai", "qt.binh"):
        browser = Browser(app, username)
        assert browser.get("/audit/settings").status_code == 403, username
        assert browser.post("/audit/settings", VALID).status_code == 403, username
    assert db.session.scalar(select(AuditSetting)) is None


def test_a_post_without_its_csrf_token_is_refused(app: Flask, sample: Any) -> None:
    browser = Browser(app, "ks.nga")
    response = browser.client.post("/audit/settings", data=VALID)
    assert response.status_code == 400
    assert db.session.scalar(select(AuditSetting)) is None
    anonymous = Isolated(app.test_client()).get("/audit/settings")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
