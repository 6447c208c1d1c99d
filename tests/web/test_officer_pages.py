"""Officer pages through the browser session: login and home, worklist, task page with its
e-form, dossier page, apology and new appointment, public lookup."""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from motcua.db import db
from motcua.dossiers.models import Dossier, IssuedDocument
from motcua.history.models import HistoryEvent
from motcua.tasks.models import Task
from support.clock import FakeClock
from support.walk import Walker, sample_at_examination
from support.web import PASSWORDS, Browser, Isolated, as_form, csrf_from, sign_in, text

PROCEDURE = "2.000488"
START_FORM = "to-khai-ly-lich-tu-phap"


def task_id(code: str, element: str) -> int:
    return db.session.scalar(select(Task.id).join(Dossier).where(
        Dossier.code == code, Task.element_id == element,
        Task.state.in_(("ready", "claimed"))))  # type: ignore[return-value]


# ------------------------------------------------------------------ login, home, password

def test_anonymous_pages_redirect_to_login(app: Flask, sample: Any) -> None:
    client = Isolated(app.test_client())
    for path in ("/", "/tasks", "/tasks/1", "/dossiers/new", "/dossiers/X-1", "/password"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/login?next=" in response.headers["Location"]


def test_login_follows_next_but_never_off_site(app: Flask, sample: Any) -> None:
    client = Isolated(app.test_client())
    token = csrf_from(text(client.get("/login")))
    response = client.post("/login?next=/tasks", data={
        "csrf_token": token, "username": "cv.mai", "password": PASSWORDS["cv.mai"]})
    assert response.headers["Location"] == "/tasks"
    client = Isolated(app.test_client())
    token = csrf_from(text(client.get("/login")))
    response = client.post("/login?next=//evil.example/x", data={
        "csrf_token": token, "username": "cv.mai", "password": PASSWORDS["cv.mai"]})
    assert response.headers["Location"] == "/"


def test_failed_logins_are_throttled(app: Flask, sample: Any) -> None:
    client = Isolated(app.test_client())
    token = csrf_from(text(client.get("/login")))
    for _ in range(5):
        response = client.post("/login", data={"csrf_token": token, "username": "gd.son",
                                               "password": "sai-mat-khau"})
        assert response.status_code == 401
    response = client.post("/login", data={"csrf_token": token, "username": "gd.son",
                                           "password": PASSWORDS["gd.son"]})
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần" in text(response)
    # The token endpoint shares the same counter.
    response = client.post("/api/v1/auth/token", json={"username": "gd.son",
                                                       "password": PASSWORDS["gd.son"]})
    assert response.status_code == 429
    assert response.get_json()["error"]["code"] == "too_many_requests"
    # Another account from the same address is not blocked by this one's failures.
    assert Browser(app, "cv.dung").get("/").status_code == 200


def test_logout_needs_csrf_and_ends_the_session(app: Flask, sample: Any) -> None:
    browser = Browser(app, "cv.mai")
    assert browser.client.post("/logout").status_code == 400
    assert browser.post("/logout").status_code == 302
    assert browser.get("/").status_code == 302


def test_password_change(app: Flask, sample: Any) -> None:
    browser = Browser(app, "cv.dung")
    response = browser.post("/password", {"current": "sai", "new": "ngắn", "repeat": "khác"})
    assert response.status_code == 422
    page = text(response)
    assert "Mật khẩu hiện tại không đúng" in page
    assert "Mật khẩu mới cần ít nhất 10 ký tự" in page
    assert "Nhập lại mật khẩu mới không khớp" in page
    response = browser.post("/password", {"current": PASSWORDS["cv.dung"],
                                           "new": "Mật-khẩu-mới-2026", "repeat": "Mật-khẩu-mới-2026"})
    assert response.status_code == 302
    client = Isolated(app.test_client())
    token = csrf_from(text(client.get("/login")))
    assert client.post("/login", data={"csrf_token": token, "username": "cv.dung",
                                       "password": PASSWORDS["cv.dung"]}).status_code == 401
    sign_in(Isolated(app.test_client()), "cv.dung", "Mật-khẩu-mới-2026")


def test_home_counts(app: Flask, walker: Walker, clock: FakeClock) -> None:
    for _ in range(3):
        walker.create("mc.lan", PROCEDURE, START_FORM)
    page = text(Browser(app, "mc.lan").get("/"))
    numbers = re.findall(r"<strong>(\d+)</strong><span>([^<]+)</span>", page)
    assert numbers == [("3", "Cần xử lý"), ("3", "Đến hạn hôm nay"), ("0", "Quá hạn"),
                       ("0", "Bị trả lại cho tôi")]
    clock.advance(days=1)
    numbers = re.findall(r"<strong>(\d+)</strong><span>([^<]+)</span>",
                         text(Browser(app, "mc.lan").get("/")))
    assert numbers[2] == ("3", "Quá hạn")


# ------------------------------------------------------------------ worklist

def test_worklist_columns_filters_search_and_claim(app: Flask, walker: Walker,
                                                   clock: FakeClock) -> None:
    codes = []
    for name in ("Trần Thị Bình", "Lê Văn Cường", "Phạm Minh Đức"):
        dossier = walker.create("mc.lan", PROCEDURE, START_FORM,
                                applicant={"name": name, "address": "Hà Nội"})
        codes.append(dossier["code"])
        clock.advance(minutes=30)
    browser = Browser(app, "mc.lan")
    page = text(browser.get("/tasks"))
    for code in codes:
        assert code in page
    for header in ("Mã hồ sơ", "Thủ tục", "Người nộp", "Bước", "Tiếp nhận", "Hạn xử lý",
                   "Tình trạng"):
        assert f">{header}<" in page
    assert "3 công việc" in page
    assert "Cấp Phiếu lý lịch tư pháp" in page
    assert "còn " in page  # working-time countdown

    page = text(browser.get("/tasks", query_string={"q": "cường"}))
    assert codes[1] in page and codes[0] not in page and codes[2] not in page
    page = text(browser.get("/tasks", query_string={"q": codes[2]}))
    assert codes[2] in page and codes[1] not in page
    page = text(browser.get("/tasks", query_string={"sort": "-received"}))
    assert page.index(codes[2]) < page.index(codes[0])
    page = text(browser.get("/tasks", query_string={"procedure": "1.001193"}))
    assert "Không có công việc nào" in page

    clock.advance(days=1)
    page = text(browser.get("/tasks", query_string={"state": "overdue"}))
    assert all(code in page for code in codes)
    assert 'class="late"' in page and "quá hạn" in page

    first = task_id(codes[0], "Task_Receive")
    response = browser.post(f"/tasks/{first}/claim", {"next": "/tasks?state=ready"})
    assert response.status_code == 302 and response.headers["Location"] == "/tasks?state=ready"
    assert db.session.get(Task, first).assignee.username == "mc.lan"  # type: ignore[union-attr]
    page = text(browser.get("/tasks", query_string={"state": "ready"}))
    assert f">{codes[0]}</a>" not in page and f">{codes[1]}</a>" in page


def test_worklist_pagination(app: Flask, walker: Walker) -> None:
    for _ in range(27):
        walker.create("mc.lan", PROCEDURE, START_FORM)
    browser = Browser(app, "mc.lan")
    first = text(browser.get("/tasks"))
    assert "27 công việc · trang 1/2" in first and "Trang sau" in first
    second = text(browser.get("/tasks", query_string={"page": 2}))
    assert second.count("/claim") == 2 and "Trang trước" in second
    # A name search pages on without a total (counting would read every dossier).
    found = text(browser.get("/tasks", query_string={"q": "văn an"}))
    assert "Kết quả tìm kiếm · trang 1" in found and found.count("/claim") == 25
    assert "Trang sau" in found
    found = text(browser.get("/tasks", query_string={"q": "văn an", "page": 2}))
    assert found.count("/claim") == 2 and "Trang sau" not in found


def test_worklist_is_scoped_to_the_users_units(app: Flask, walker: Walker) -> None:
    code = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    assert code not in text(Browser(app, "xa.hoa").get("/tasks"))
    assert code not in text(Browser(app, "cv.mai").get("/tasks"))


# ------------------------------------------------------------------ task page

def test_task_page_shows_dossier_form_and_history(app: Flask, walker: Walker) -> None:
    code = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    walker.complete("mc.lan", code, "accept")
    browser = Browser(app, "tp.hung")
    page = text(browser.get(f"/tasks/{task_id(code, 'Task_Assign')}"))
    assert "Phân công xử lý" in page and code in page
    assert "Tờ khai" in page and "Họ, chữ đệm và tên" in page  # application data, titled
    data = db.session.scalar(select(Dossier.data).where(Dossier.code == code))
    assert data is not None
    born = data["ngay_sinh"]
    assert "/".join(reversed(born.split("-"))) in page  # dates as officers read them
    assert "Quá trình xử lý" in page and "Tiếp nhận hồ sơ" in page
    # The officer widget lists the unit's specialists by name.
    assert re.search(r'<option value="cv.mai"[^>]*>[^<]*Mai', page)
    assert re.search(r'<option value="cv.dung"[^>]*>[^<]*Dũng', page)


def test_task_form_errors_keep_input_and_change_nothing(app: Flask, walker: Walker) -> None:
    code = sample_at_examination(walker)
    tid = task_id(code, "Task_Examine")
    browser = Browser(app, "cv.mai")
    response = browser.post(f"/tasks/{tid}", {"data.y_kien": "ít", "outcome": "approve"})
    assert response.status_code == 422
    page = text(response)
    assert ">ít<" in page or 'value="ít"' in page  # the input is kept
    assert "Cần ít nhất 5 ký tự" in page
    assert db.session.get(Task, tid).state in ("ready", "claimed")  # type: ignore[union-attr]


def test_task_outcome_refuse_needs_confirmation(app: Flask, walker: Walker) -> None:
    code = sample_at_examination(walker)
    tid = task_id(code, "Task_Examine")
    browser = Browser(app, "cv.mai")
    data = as_form(walker.data_for("tham-dinh"))
    # Without its reason the refusal is not even offered for confirmation.
    response = browser.post(f"/tasks/{tid}", {**data, "outcome": "reject"})
    assert response.status_code == 422
    assert 'id="note-error">Cần ghi lý do khi chọn' in text(response)
    data["note"] = "Không đủ điều kiện cấp phiếu"
    response = browser.post(f"/tasks/{tid}", {**data, "outcome": "reject"})
    assert response.status_code == 200
    page = text(response)
    assert "Xác nhận: Đề xuất từ chối?" in page
    assert db.session.get(Task, tid).state != "completed"  # type: ignore[union-attr]
    response = browser.post(f"/tasks/{tid}", {**data, "outcome": "reject", "confirmed": "reject"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, tid).outcome == "reject"  # type: ignore[union-attr]


def test_task_complete_through_the_page_moves_the_dossier(app: Flask, walker: Walker) -> None:
    code = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    walker.complete("mc.lan", code, "accept")
    browser = Browser(app, "tp.hung")
    tid = task_id(code, "Task_Assign")
    response = browser.post(f"/tasks/{tid}", {"data.assignee": "cv.dung",
                                              "data.chi_dao": "Xử lý đúng hạn"})
    assert response.status_code == 302 and response.headers["Location"] == "/tasks"
    flashed = text(browser.get("/tasks"))
    assert f"Đã hoàn thành \u201cPhân công xử lý\u201d của hồ sơ {code}" in flashed
    examine = db.session.scalar(select(Task).join(Dossier).where(
        Dossier.code == code, Task.element_id == "Task_Examine"))
    assert examine is not None and examine.assignee.username == "cv.dung"


def test_task_of_another_unit_is_absent_and_a_colleagues_is_read_only(
        app: Flask, walker: Walker) -> None:
    code = sample_at_examination(walker)
    tid = task_id(code, "Task_Examine")
    assert Browser(app, "xa.hoa").get(f"/tasks/{tid}").status_code == 404
    page = text(Browser(app, "cv.dung").get(f"/tasks/{tid}"))
    assert "đang do Phạm Thị Mai xử lý" in page and 'name="outcome"' not in page
    response = Browser(app, "cv.dung").post(f"/tasks/{tid}", {"outcome": "approve"})
    assert response.status_code == 409


def test_task_post_requires_csrf(app: Flask, walker: Walker) -> None:
    code = sample_at_examination(walker)
    browser = Browser(app, "cv.mai")
    response = browser.client.post(f"/tasks/{task_id(code, 'Task_Examine')}",
                                   data={"outcome": "approve"})
    assert response.status_code == 400


# ------------------------------------------------------------------ dossier page, apology

def test_dossier_page_timeline_and_permissions(app: Flask, walker: Walker) -> None:
    code = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    walker.complete("mc.lan", code, "accept")
    page = text(Browser(app, "mc.lan").get(f"/dossiers/{code}"))
    assert "Quá trình giải quyết" in page and "Hoàn thành bước" in page
    assert "Đúng hạn" in page or "Trước hạn" in page
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)" in page
    assert "Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 06)" in page
    assert Browser(app, "xa.hoa").get(f"/dossiers/{code}").status_code == 404
    assert Browser(app, "ks.nga").get(f"/dossiers/{code}").status_code == 200


def test_the_timeline_names_the_officer_a_step_assigned(app: Flask, walker: Walker) -> None:
    code = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    walker.complete("mc.lan", code, "accept")
    walker.complete("tp.hung", code, None, assignee="cv.mai")
    page = text(Browser(app, "tp.hung").get(f"/dossiers/{code}"))
    assert "Phạm Thị Mai (cv.mai)" in page


def test_apology_sets_new_due_issues_letter_and_records_history(
        app: Flask, walker: Walker) -> None:
    code = sample_at_examination(walker)
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    assert dossier is not None and dossier.due_at is not None
    original = dossier.due_at
    browser = Browser(app, "cv.mai")
    page = text(browser.get(f"/dossiers/{code}"))
    assert "Xin lỗi và hẹn lại ngày trả" in page
    response = browser.post(f"/dossiers/{code}/apology", {"reason": "", "new_due": "2026-03-01T10:00"})
    assert response.status_code == 422
    assert "Cần ghi rõ lý do chậm trả kết quả" in text(response)
    response = browser.post(f"/dossiers/{code}/apology",
                            {"reason": "Cần xác minh thêm", "new_due": "2026-03-01T10:00"})
    assert response.status_code == 422
    assert "Ngày hẹn mới phải sau ngày hẹn hiện tại" in text(response)
    response = browser.post(f"/dossiers/{code}/apology",
                            {"reason": "Cần xác minh thêm tại cơ quan công an",
                             "new_due": "2026-04-02T09:00"})
    assert response.status_code == 302, text(response)
    assert "/documents/apology" in response.headers["Location"]
    db.session.expire_all()
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
    assert dossier is not None and dossier.due_at is not None
    assert dossier.due_at.isoformat() == "2026-04-02T02:00:00+00:00"
    letter = db.session.scalar(select(IssuedDocument).where(
        IssuedDocument.dossier_id == dossier.id, IssuedDocument.kind == "apology"))
    assert letter is not None
    assert letter.content["reason"] == "Cần xác minh thêm tại cơ quan công an"
    assert letter.content["original_due_at"] == original.isoformat()
    assert letter.content["signer"] == "Đỗ Thanh Sơn"
    assert db.session.scalar(select(func.count()).select_from(HistoryEvent).where(
        HistoryEvent.dossier_id == dossier.id, HistoryEvent.action == "extended")) == 1
    page = text(browser.get(f"/dossiers/{code}"))
    assert "Xin lỗi, hẹn lại ngày trả" in page and "02/04/2026 09:00" in page


def test_apology_refused_to_an_officer_not_on_the_dossier(app: Flask, walker: Walker) -> None:
    code = sample_at_examination(walker)
    browser = Browser(app, "cv.dung")
    assert browser.get(f"/dossiers/{code}").status_code == 404
    response = browser.post(f"/dossiers/{code}/apology",
                            {"reason": "x", "new_due": "2026-04-01T09:00"})
    assert response.status_code == 404


# ------------------------------------------------------------------ public lookup

def test_public_lookup_shows_status_and_dates_only(app: Flask, walker: Walker) -> None:
    code = walker.create("mc.lan", PROCEDURE, START_FORM,
                         applicant={"name": "Nguyễn Thị Riêng Tư", "phone": "0912000111"})["code"]
    client = Isolated(app.test_client())
    response = client.get("/lookup", query_string={"code": f"  {code} "})
    assert response.status_code == 302 and response.headers["Location"] == f"/lookup/{code}"
    page = text(client.get(f"/lookup/{code}"))
    assert "Mới tiếp nhận" in page and "16/03/2026 09:00" in page and "30/03/2026 09:00" in page
    assert "Riêng Tư" not in page and "0912000111" not in page
    missing = client.get("/lookup/000.00.12.H99-260302-9999")
    assert missing.status_code == 404 and "Không tìm thấy hồ sơ" in text(missing)


def test_unknown_page_too_large_post_and_stale_form_answer_in_vietnamese(
        app: Flask, sample: Any) -> None:
    client = Isolated(app.test_client())
    missing = client.get("/khong-co-trang-nay")
    assert missing.status_code == 404 and "Không tìm thấy trang" in text(missing)
    assert client.get("/api/v1/khong-co").get_json()["error"]["code"] == "not_found"
    stale = client.post("/login", data={"username": "cv.mai", "password": "x"})
    assert stale.status_code == 400 and "Phiên làm việc đã hết hạn" in text(stale)
    browser = Browser(app, "mc.lan")
    huge = browser.post("/dossiers/new?procedure=2.000488", {"applicant.name": "x" * (21 << 20)})
    assert huge.status_code == 413 and "quá lớn" in text(huge)


def test_stop_from_the_dossier_page(app: Flask, walker: Walker) -> None:
    code = sample_at_examination(walker)
    leader = Browser(app, "gd.son")
    assert "Dừng giải quyết" in text(leader.get(f"/dossiers/{code}"))
    response = leader.post(f"/dossiers/{code}/stop", {"stop_reason": " "})
    assert response.status_code == 422 and "Cần ghi rõ lý do dừng giải quyết" in text(response)
    response = leader.post(f"/dossiers/{code}/stop",
                           {"stop_reason": "Người nộp xin rút hồ sơ"})
    assert response.status_code == 302 and "/documents/stop" in response.headers["Location"]
    assert db.session.scalar(select(Dossier.status).where(Dossier.code == code)) == "stopped"
    # A specialist of the unit may neither see the form nor stop it.
    page = text(Browser(app, "cv.mai").get(f"/dossiers/{code}"))
    assert 'action="/dossiers/' + code + '/stop"' not in page


def test_attach_from_the_dossier_page(app: Flask, walker: Walker) -> None:
    code = sample_at_examination(walker)
    pdf = b"%PDF-1.4\n%%EOF\n"
    holder = Browser(app, "cv.mai")
    response = holder.post(f"/dossiers/{code}/attachments",
                           {"attachments": [(io.BytesIO(pdf), "bien-ban.pdf")]},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert "bien-ban.pdf" in text(holder.get(f"/dossiers/{code}"))
    response = holder.post(f"/dossiers/{code}/attachments", {},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Chọn ít nhất một tệp" in text(response)
    auditor = Browser(app, "ks.nga")  # sees every dossier, works on none
    response = auditor.post(f"/dossiers/{code}/attachments",
                            {"attachments": [(io.BytesIO(pdf), "x.pdf")]},
                            content_type="multipart/form-data")
    assert response.status_code == 403


def test_page_posts_require_csrf(app: Flask, walker: Walker) -> None:
    code = sample_at_examination(walker)
    client = Browser(app, "cv.mai").client
    for path, data in ((f"/dossiers/{code}/apology", {"reason": "x", "new_due": "2026-04-01T09:00"}),
                       (f"/dossiers/{code}/stop", {"stop_reason": "x"}),
                       ("/password", {"current": "x", "new": "y", "repeat": "y"}),
                       ("/dossiers/new?procedure=2.000488", {"applicant.name": "x"})):
        assert client.post(path, data=data).status_code == 400, path


def test_password_page_and_home_of_an_auditor(app: Flask, sample: Any) -> None:
    auditor = Browser(app, "ks.nga")
    page = text(auditor.get("/"))
    assert "Kiểm soát TTHC" in page and "Sổ theo dõi hồ sơ (Mẫu 07)" in page
    assert "Tiếp nhận hồ sơ mới" not in page
    form = text(auditor.get("/password"))
    assert "Mật khẩu hiện tại" in form and "Nhập lại mật khẩu mới" in form


def test_claim_taken_by_a_colleague_is_said_on_the_list(app: Flask, walker: Walker) -> None:
    code = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    tid = task_id(code, "Task_Receive")
    lan, tuan = Browser(app, "mc.lan"), Browser(app, "mc.tuan")
    assert lan.post(f"/tasks/{tid}/claim").status_code == 302
    response = tuan.post(f"/tasks/{tid}/claim", {"next": "/tasks"})
    assert response.status_code == 303 and response.headers["Location"] == "/tasks"
    assert "Công việc đang do Trần Thị Lan xử lý" in text(tuan.get("/tasks"))


def test_worklist_period_returned_and_supplement_filters(app: Flask, walker: Walker,
                                                         clock: FakeClock) -> None:
    early = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    clock.advance(days=2)
    late = walker.create("mc.lan", PROCEDURE, START_FORM)["code"]
    for code in (early, late):
        walker.complete("mc.lan", code, "accept")
        walker.complete("tp.hung", code, None, assignee="cv.mai")
    walker.complete("cv.mai", early, "approve")
    walker.complete("tp.hung", early, "back", note="Bổ sung căn cứ")  # back to cv.mai
    walker.complete("cv.mai", late, "supplement", note="Thiếu bản sao căn cước")
    mai = Browser(app, "cv.mai")
    page = text(mai.get("/tasks", query_string={"from": "2026-03-18", "to": "2026-03-18"}))
    assert f">{late}</a>" not in page  # waiting at the desk for the supplement
    page = text(mai.get("/tasks", query_string={"from": "2026-03-16", "to": "2026-03-16"}))
    assert f">{early}</a>" in page and "Kết quả tìm kiếm · trang 1" in page
    assert "Trang sau" not in page
    page = text(mai.get("/tasks", query_string={"state": "returned"}))
    assert f">{early}</a>" in page
    desk = Browser(app, "mc.lan")
    page = text(desk.get("/tasks", query_string={"state": "supplement"}))
    assert f">{late}</a>" in page and f">{early}</a>" not in page
    page = text(desk.get("/tasks", query_string={"sort": "received", "from": "2026-03-18"}))
    assert f">{late}</a>" in page and f">{early}</a>" not in page
