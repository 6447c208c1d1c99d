"""The officer UI in headless Chromium: one dossier of the sample procedure (Cấp Phiếu lý
lịch tư pháp) from the desk to the returned result, each step by its own officer in a browser
context of their own, with a full-page screenshot of every page visited. On the way the
specialist asks for a supplement (its reason in the note), the unit head sends the draft back
once with a reason, and the specialist sees why on the task page, the form filled as before."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    Actors,
    LiveServer,
    Officer,
    add_row,
    click_and_wait,
    finish,
    open_from_worklist,
    scroll_overflow,
    send_back,
    small_pdf,
)
from pypdf import PdfReader

from support.clock import local

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APPLICANT = "Nguyễn Văn Nộp"
SUPPLEMENT_REASON = "Thiếu bản sao sổ hộ khẩu để đối chiếu quá trình cư trú"
BACK_REASON = "Dự thảo chưa ghi nơi cư trú hiện nay của người yêu cầu"
TIMING_LABELS = ("Trước hạn", "Đúng hạn", "Quá hạn")


# ------------------------------------------------------------------ page steps

def status_of(officer: Officer, code: str) -> str:
    officer.go(f"/dossiers/{code}")
    return str(officer.page.locator(".summary .badge").first.inner_text())


# ------------------------------------------------------------------ the journey

def fill_reception(page: Any, leave_empty: str = "", *, javascript: bool = True) -> None:
    """The applicant, the application e-form and the desk's check, but the input named
    ``leave_empty``."""
    fields = {
        "applicant.name": APPLICANT, "applicant.id_number": "001090012345",
        "applicant.phone": "0912345678", "applicant.address": "12 Lê Lợi, phường Hoàn Kiếm",
        "data.ho_ten": APPLICANT, "data.ngay_sinh": "1990-05-17",
        "data.so_dinh_danh": "001090012345", "data.noi_cu_tru": "12 Lê Lợi, phường Hoàn Kiếm",
        "data.dien_thoai": "0912345678", "data.muc_dich": "Bổ sung hồ sơ xin việc",
        "data.qua_trinh_cu_tru[0].tu": "2004-05-17", "data.qua_trinh_cu_tru[0].den": "2026-03-01",
        "data.qua_trinh_cu_tru[0].noi_cu_tru": "Hà Nội",
        "data.qua_trinh_cu_tru[0].nghe_nghiep": "Kỹ sư",
        "received.documents[0].name": "Tờ khai", "received.documents[0].original": "1",
        "received.documents[1].name": "Bản sao căn cước", "received.documents[1].original": "0",
        "received.documents[1].copy": "1",
        "step.ghi_chu": "Hồ sơ đủ thành phần",
    }
    add_row(page, "data.qua_trinh_cu_tru", javascript=javascript)
    # The platform's own list of papers comes filled from the decision: one row, corrected
    # here, and a second one added.
    assert page.input_value("[name='received.documents[0].name']") == (
        "Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp")
    assert page.locator("[name='received.documents[1].name']").count() == 0
    add_row(page, "received.documents", javascript=javascript)
    for name, value in fields.items():
        if name != leave_empty:
            page.fill(f"[name='{name}']", value)
    page.check("[name='data.gioi_tinh'][value='Nam']")
    page.check("[name='data.nhan_ket_qua'][value='Tại Bộ phận Một cửa']")
    page.select_option("[name='data.loai_phieu']", "Phiếu số 1")


def receive_at_desk(actors: Actors, attachment: Path) -> str:
    lan = actors.new("mc.lan")
    page = lan.page
    lan.shot("home")
    click_and_wait(lan, "header nav >> text=Tiếp nhận hồ sơ")
    page.fill("#q", "lý lịch")
    click_and_wait(lan, "form[role=search] button")
    lan.shot("procedures")
    row = page.locator("table tbody tr", has_text="2.000488")
    assert "Cấp Phiếu lý lịch tư pháp" in row.inner_text()
    with page.expect_navigation():
        row.locator("a", has_text="Chọn").click()

    fill_reception(page)
    page.set_input_files("#attachments", str(attachment))
    lan.shot("receive-form")
    click_and_wait(lan, "button[name=outcome][value=accept]")

    assert "/documents/receipt" in page.url
    code = page.locator(".subtitle strong").inner_text().strip()
    assert re.fullmatch(r"[0-9.]+H99-260316-\d{4}", code), code
    body = page.locator("article.sheet").inner_text()
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in body and APPLICANT in body
    papers = page.locator("article.sheet table.grid tbody tr").all_inner_texts()
    assert [" ".join(row.split()) for row in papers] == ["1 Tờ khai 1 0", "2 Bản sao căn cước 0 1"]
    assert page.locator(".qr svg").count() == 1
    lan.shot("receipt")
    return code


def assign(actors: Actors, code: str) -> None:
    hung = actors.new("tp.hung")
    counts = hung.page.locator(".counts .count strong").all_inner_texts()
    assert counts and int(counts[0]) >= 1, counts
    hung.shot("home")
    open_from_worklist(hung, code, "Phân công xử lý")
    hung.page.select_option("[name='data.assignee']", label="Phạm Thị Mai")
    hung.page.fill("[name='data.chi_dao']", "Thẩm định trong ngày")
    finish(hung)


def examine(actors: Actors, code: str, outcome: str, opinion: str) -> Officer:
    mai = actors.new("cv.mai")
    open_from_worklist(mai, code, "Thẩm định hồ sơ")
    page = mai.page
    page.fill("[name='data.y_kien']", opinion)
    if outcome == "supplement":
        add_row(page, "data.can_bo_sung")
        page.fill("[name='data.can_bo_sung[0]']", "Bản sao sổ hộ khẩu")
        # The step declares no reason field: without a note the request is refused, the
        # note field says why and keeps what was entered.
        click_and_wait(mai, "form.eform button[name=outcome][value=supplement]")
        error = page.locator("#note-error")
        assert error.is_visible(), page.content()
        assert page.get_attribute("#note", "aria-invalid") == "true"
        assert page.input_value("[name='data.can_bo_sung[0]']") == "Bản sao sổ hộ khẩu"
        mai.shot("supplement-needs-reason")
        page.fill("#note", SUPPLEMENT_REASON)
    else:
        page.fill("[name='data.du_thao']", "Phiếu lý lịch tư pháp số 1")
    finish(mai, outcome)
    return mai


def request_supplement(actors: Actors, code: str) -> None:
    mai = examine(actors, code, "supplement", "Thiếu bản sao sổ hộ khẩu")
    page = mai.page
    assert f"/dossiers/{code}/documents/supplement" in page.url
    assert "Mẫu số 02" in page.locator(".form-no").inner_text()
    # The sample step names no list of missing papers: the reason says what to bring.
    assert f"Lý do: {SUPPLEMENT_REASON}" in page.locator("article.sheet").inner_text()
    assert status_of(mai, code) == "Chờ bổ sung hồ sơ"
    assert page.locator("ol.timeline .mark.supplement").count() == 1
    mai.shot("dossier-supplement")


def receive_supplement(actors: Actors, code: str) -> None:
    lan = actors.new("mc.lan")
    open_from_worklist(lan, code, "Nhận hồ sơ bổ sung (thẩm định)")
    lan.page.fill("[name='data.ngay_nhan']", "2026-03-17")
    add_row(lan.page, "data.giay_to")
    lan.page.fill("[name='data.giay_to[0]']", "Bản sao sổ hộ khẩu")
    finish(lan)


def review_and_send_back(actors: Actors, code: str) -> None:
    """The unit head first changes their mind at the browser's confirmation, then sends the
    draft back with a reason in the note."""
    hung = actors.new("tp.hung")
    page = hung.page
    open_from_worklist(hung, code, "Xem xét, trình ký")
    page.fill("[name='data.y_kien']", "Đồng ý với đề xuất")
    url = page.url
    messages: list[str] = []

    def dismiss(dialog: Any) -> None:
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("button[name=outcome][value=back]")
    page.wait_for_timeout(200)  # a navigation the dialog failed to stop would start by now
    assert messages == ["Xác nhận: Trả lại chuyên viên?"]
    assert page.url == url
    assert page.input_value("[name='data.y_kien']") == "Đồng ý với đề xuất"
    assert page.locator("[name=confirmed]").count() == 0
    hung.shot("review-back-dismissed")
    fresh = page.context.request.get(url)  # the step, as the server has it now
    assert "Trả lại chuyên viên</button>" in fresh.text() and "Đang xử lý" in fresh.text()
    fresh.dispose()
    page.fill("#note", BACK_REASON)
    send_back(hung)


def reexamine_after_return(actors: Actors, code: str) -> None:
    mai = actors.new("cv.mai")
    open_from_worklist(mai, code, "Thẩm định hồ sơ")
    page = mai.page
    banner = page.locator(".sent-back").inner_text()
    assert "Hồ sơ được trả lại" in banner and "Nguyễn Mạnh Hùng" in banner, banner
    assert f"Lý do: {BACK_REASON}" in banner
    # The form comes back as it was sent the last time.
    assert page.input_value("[name='data.y_kien']") == "Đủ điều kiện cấp phiếu"
    assert page.input_value("[name='data.du_thao']") == "Phiếu lý lịch tư pháp số 1"
    # The timeline shows what each step entered, folded.
    entries = page.locator("ol.timeline li", has_text="Xem xét, trình ký").filter(
        has=page.locator(".mark.back"))
    assert entries.count() == 1 and BACK_REASON in entries.inner_text()
    entries.locator("details.entries > summary").click()
    assert "Đồng ý với đề xuất" in entries.locator("details.entries").inner_text()
    mai.shot("task-sent-back")
    page.fill("[name='data.du_thao']", "Phiếu lý lịch tư pháp số 1, ghi rõ nơi cư trú")
    finish(mai, "approve")


def review(actors: Actors, code: str) -> None:
    hung = actors.new("tp.hung")
    open_from_worklist(hung, code, "Xem xét, trình ký")
    hung.page.fill("[name='data.y_kien']", "Đồng ý trình ký")
    finish(hung, "agree")


def approve_on_phone(actors: Actors, code: str) -> None:
    son = actors.new("gd.son", phone=True)
    son.shot("home")
    open_from_worklist(son, code, "Phê duyệt, ký kết quả")
    son.go("/tasks")
    assert scroll_overflow(son.page) == 0, "the worklist scrolls sideways on a phone"
    claimed = son.page.locator("table.worklist tbody tr", has_text=code)
    box = claimed.locator("a", has_text="Xử lý").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    son.shot("worklist-claimed")
    with son.page.expect_navigation():
        claimed.locator("a", has_text=code).click()
    son.page.fill("[name='data.y_kien']", "Ký")
    son.shot("task-filled")
    finish(son, "sign")


def issue_and_return(actors: Actors, code: str) -> Officer:
    ha = actors.new("vt.ha")
    open_from_worklist(ha, code, "Vào số, đóng dấu, phát hành")
    ha.page.fill("[name='data.so_ky_hieu']", "125/LLTP")
    ha.page.fill("[name='data.ngay_ky']", "2026-03-18")
    ha.page.fill("[name='data.nguoi_ky']", "Đỗ Thanh Sơn")
    finish(ha)

    lan = actors.new("mc.lan")
    open_from_worklist(lan, code, "Trả kết quả")
    lan.page.select_option("[name='data.hinh_thuc']", "Trực tiếp")
    lan.page.fill("[name='data.nguoi_nhan']", APPLICANT)
    finish(lan)
    assert status_of(lan, code) == "Đã trả kết quả"
    timeline = lan.page.locator("ol.timeline").inner_text()
    for label in TIMING_LABELS:
        assert label in timeline, f"{label} missing from the timeline"
    steps = lan.page.locator("section[aria-labelledby=tasks-title] tbody tr")
    for row in steps.all():
        cells = row.locator("td").all_inner_texts()
        # Every step with a time allowed is judged; the return step has none.
        assert cells[6] in TIMING_LABELS or cells[4] == "", cells
    reopened = steps.filter(has=lan.page.locator(".mark.back"))
    assert reopened.count() == 1 and "Thẩm định hồ sơ" in reopened.inner_text()
    lan.shot("dossier-returned")
    return lan


def public_lookup(actors: Actors, code: str) -> None:
    visitor = actors.new("public", login=False)
    visitor.go("/lookup")
    visitor.page.fill("#code", code)
    visitor.shot("lookup-form")
    click_and_wait(visitor, "form[role=search] button")
    visitor.shot("lookup")
    facts = visitor.page.locator("dl.facts").inner_text()
    assert code in facts and "Đã trả kết quả" in facts
    assert "16/03/2026" in facts  # received
    assert "Ngày kết thúc" in facts
    assert APPLICANT not in visitor.page.content()


def check_print_views(officer: Officer, code: str) -> None:
    page = officer.page
    for kind in ("receipt", "control_slip"):
        officer.go(f"/dossiers/{code}/documents/{kind}")
        officer.shot(kind)
        page.emulate_media(media="print")
        assert scroll_overflow(page) <= 0, f"{kind} overflows sideways when printed"
        officer.shot(f"print-{kind}")
        reader = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
        # The receipt is one sheet; the control slip grows with the hand-overs.
        assert len(reader.pages) == 1 if kind == "receipt" else len(reader.pages) >= 1
        assert code in "".join(p.extract_text() for p in reader.pages), kind
        page.emulate_media(media="screen")
        served = page.context.request.get(
            f"{officer.base}/dossiers/{code}/documents/{kind}?format=pdf")
        assert served.status == 200 and served.body().startswith(b"%PDF"), kind
        assert served.headers["content-type"] == "application/pdf"
        if kind == "receipt":
            assert len(PdfReader(io.BytesIO(served.body())).pages) == 1
        served.dispose()


def test_a_dossier_from_the_desk_to_the_returned_result(
        actors: Actors, server: LiveServer, tmp_path: Path) -> None:
    clock = server.clock
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(small_pdf())

    code = receive_at_desk(actors, scan)
    clock.advance(minutes=30)
    assign(actors, code)
    clock.advance(minutes=30)
    request_supplement(actors, code)
    clock.set(local(2026, 3, 17, 9, 0))
    receive_supplement(actors, code)
    clock.advance(hours=1)
    examine(actors, code, "approve", "Đủ điều kiện cấp phiếu")
    # A day later the review, due within half a working day, is late.
    clock.set(local(2026, 3, 18, 9, 0))
    review_and_send_back(actors, code)
    clock.advance(minutes=30)
    reexamine_after_return(actors, code)
    clock.advance(minutes=30)
    review(actors, code)
    clock.advance(hours=1)
    approve_on_phone(actors, code)
    clock.advance(hours=1)
    lan = issue_and_return(actors, code)
    public_lookup(actors, code)
    check_print_views(lan, code)


# ------------------------------------------------------------------ errors

def test_a_wrong_password_is_refused(actors: Actors) -> None:
    visitor = actors.new("cv.dung", login=False)
    visitor.login("mat-khau-sai")
    assert "/login" in visitor.page.url
    assert visitor.page.locator("#login-error").inner_text() == (
        "Sai tên đăng nhập hoặc mật khẩu")
    assert visitor.page.input_value("#username") == "cv.dung"
    visitor.shot("login-error")


def test_a_missing_required_field_is_shown_beside_it(actors: Actors) -> None:
    lan = actors.new("mc.lan")
    page = lan.page
    lan.go("/dossiers/new?procedure=2.000488")
    fill_reception(page, leave_empty="applicant.name")
    # The form is novalidate: the browser sends it and the server answers.
    click_and_wait(lan, "button[name=outcome][value=accept]")
    lan.shot("receive-errors")
    assert "/dossiers/new" in page.url
    error = page.locator("#f-applicant-name--error")
    assert error.is_visible() and "Thiếu" in error.inner_text()
    assert "f-applicant-name--error" in (
        page.get_attribute("#f-applicant-name", "aria-describedby") or "")
    # The error sits beside its input (within the same field, just above it).
    name_box, error_box = (page.locator("#f-applicant-name").bounding_box(),
                           error.bounding_box())
    assert name_box and error_box and 0 <= name_box["y"] - error_box["y"] < 80
    assert page.input_value("[name='applicant.address']") == "12 Lê Lợi, phường Hoàn Kiếm"
    assert page.input_value("[name='data.ho_ten']") == APPLICANT
    assert page.input_value("[name='data.qua_trinh_cu_tru[0].noi_cu_tru']") == "Hà Nội"
    assert page.is_checked("[name='data.gioi_tinh'][value='Nam']")
    assert page.input_value("[name='data.loai_phieu']") == "Phiếu số 1"
    assert page.input_value("[name='step.ghi_chu']") == "Hồ sơ đủ thành phần"
    assert page.input_value("[name='received.documents[0].name']") == "Tờ khai"
    assert page.input_value("[name='received.documents[1].copy']") == "1"


def test_without_javascript_the_server_asks_to_confirm_a_refusal(actors: Actors) -> None:
    lan = actors.new("mc.lan", javascript=False)
    page = lan.page
    lan.go("/dossiers/new?procedure=2.000488")
    fill_reception(page, javascript=False)
    # The reception step declares no reason field: the reason is the note's.
    page.fill("#note", "Không thuộc thẩm quyền")
    click_and_wait(lan, "button[name=outcome][value=refuse]")
    panel = page.locator(".confirm[role=alertdialog]")
    assert "Xác nhận: Từ chối tiếp nhận?" in panel.inner_text()
    assert panel.locator("button[name=outcome][value=refuse]").is_visible()
    lan.shot("receive-confirm-refusal")
    click_and_wait(lan, "button[name=cancel_confirm]")
    assert page.locator(".confirm").count() == 0
    assert page.locator("button[name=outcome][value=refuse]").is_visible()
    assert page.input_value("#note") == "Không thuộc thẩm quyền"
    assert page.input_value("[name='applicant.name']") == APPLICANT
    assert page.input_value("[name='received.documents[1].name']") == "Bản sao căn cước"
