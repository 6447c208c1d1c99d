"""Layout at the sizes the desk was promised, in headless Chromium, on the demo province's
longest procedure (Thẩm định Báo cáo nghiên cứu khả thi: nested application groups, rows,
long Vietnamese names and titles, an email and codes without spaces, seven papers):

- the task page's application panel (1366×768) wraps words between syllables, never inside;
- the receive form, the dossier page and a task page never scroll sideways on a 390 px phone:
  their tables become stacked cards, no element is wider than the screen;
- the receipt (Mẫu 01) prints on one A4 page, in Chromium's print and in our WeasyPrint PDF.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser_support import (
    Actors,
    LiveServer,
    Officer,
    Shots,
    add_row,
    click_and_wait,
    finish,
    load_demo_province,
    open_from_worklist,
    send_back,
)
from geometry import broken_words, page_width, pdf_pages, too_wide

LOAD_PROVINCE = load_demo_province

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROCEDURE = "1.009972"
PHONE_WIDTH = 390
APPLICANT = ("Công ty Cổ phần Đầu tư Phát triển Hạ tầng Kỹ thuật và Xây dựng Công nghiệp "
             "Nghi Sơn Hà Tĩnh")
ADDRESS = ("Tầng 12, Tòa nhà Trung tâm Thương mại Dịch vụ Tổng hợp, số 168 đường Nguyễn Tất "
           "Thành, phường Thành Sen, tỉnh Hà Tĩnh")
EMAIL = "phongduan.hatangkythuat.nghison@congtyxaydungcongnghiep-hatinh.com.vn"
APPLICATION = {
    "applicant.name": APPLICANT, "applicant.id_number": "3001234567",
    "applicant.phone": "0912345678", "applicant.email": EMAIL, "applicant.address": ADDRESS,
    "data.chu_dau_tu.ten": APPLICANT, "data.chu_dau_tu.ma_so_doanh_nghiep": "3001234567",
    "data.chu_dau_tu.nguoi_dai_dien": "Nguyễn Thị Phương Thảo Nguyên",
    "data.chu_dau_tu.dia_chi": ADDRESS, "data.chu_dau_tu.dien_thoai": "0912345678",
    "data.chu_dau_tu.email": EMAIL,
    "data.du_an.ten": "Đầu tư xây dựng hạ tầng kỹ thuật khu công nghiệp chuyên sâu về chế biến "
                      "nông, lâm, thủy sản và khuyến khích thương mại điện tử xuyên biên giới",
    "data.du_an.tong_muc_dau_tu": "1250000000000", "data.du_an.dien_tich_dat": "125.5",
    "data.du_an.quy_mo": "Hệ thống đường giao thông nội bộ, cấp nước, thoát nước, xử lý nước "
                         "thải tập trung công suất 5.000 m³/ngày đêm, chiếu sáng, cây xanh",
    "data.du_an.thoi_gian.tu": "2026-06-01", "data.du_an.thoi_gian.den": "2028-12-31",
    "data.dia_diem.so_nha_duong": "Thôn Trung Nghĩa và thôn Đông Xuyên, dọc tuyến đường ven "
                                  "biển Xuân Hội - Thạch Khê - Vũng Áng",
    "data.dia_diem.xa_phuong": "Xã Cẩm Bình",
    "data.moi_truong.so_quyet_dinh_dtm": "2345/QĐ-BNNMT-ĐTM/2025",
    "data.moi_truong.ngay_quyet_dinh_dtm": "2025-11-20",
    "data.ho_so_kem_theo[0].ten": "Báo cáo nghiên cứu khả thi đầu tư xây dựng và thuyết minh "
                                  "thiết kế cơ sở kèm theo",
    "data.ho_so_kem_theo[0].so_hieu": "BC-NCKT-2026/HTKT-NGHISON-01",
    "data.ho_so_kem_theo[0].don_vi_lap": "Liên danh Tư vấn Thiết kế Xây dựng Trường Sơn và "
                                         "Nghiên cứu Quy hoạch Miền Trung",
    "data.ho_so_kem_theo[0].ban_chinh": "2", "data.ho_so_kem_theo[0].ban_sao": "1",
}
# Handed in besides the procedure's four papers (listed by the decision).
MORE_PAPERS = [
    "Văn bản thẩm định thiết kế phòng cháy và chữa cháy của cơ quan Cảnh sát phòng cháy, "
    "chữa cháy và cứu nạn, cứu hộ",
    "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất "
    "(bản sao có chứng thực)",
    "Văn bản ủy quyền của người đại diện theo pháp luật của Công ty cho người nộp hồ sơ",
]
RETURN_REASON = ("Đề nghị bổ sung ý kiến của Sở Nông nghiệp và Môi trường vào dự thảo thông "
                 "báo kết quả thẩm định trước khi trình ký")


@pytest.fixture(scope="module")
def code(browser: Any, server: LiveServer, shots: Shots) -> Iterator[str]:
    """A dossier received at the desk with the long application and seven papers."""
    actors = Actors(browser, server, shots)
    try:
        lan = actors.new("mc.lan")
        lan.go(f"/dossiers/new?procedure={PROCEDURE}")
        page = lan.page
        for name, value in APPLICATION.items():
            page.fill(f"[name='{name}']", value)
        for name in ("du_an.nhom", "du_an.cap_cong_trinh", "du_an.nguon_von",
                     "moi_truong.phan_loai"):
            page.select_option(f"[name='data.{name}']", index=1)
        page.check("[name='data.nhan_ket_qua'] >> nth=0")
        listed = page.locator("[name^='received.documents['][name$='].name']").count()
        for index, paper in enumerate(MORE_PAPERS, start=listed):
            add_row(page, "received.documents")
            page.fill(f"[name='received.documents[{index}].name']", paper)
            page.fill(f"[name='received.documents[{index}].original']", "1")
        page.fill("[name='received.sets']", "2")
        lan.shot("receive-long")
        click_and_wait(lan, "button[name=outcome][value=accept]")
        assert "/documents/receipt" in page.url, page.content()
        yield page.locator(".subtitle strong").inner_text().strip()
    finally:
        actors.close()


@pytest.fixture(scope="module")
def sent_back(code: str, browser: Any, server: LiveServer, shots: Shots) -> Iterator[str]:
    """The dossier handled up to the unit head's review, who sends it back to the specialist
    with a reason: a reopened step, marks in the timeline and the steps table."""
    clock = server.clock
    actors = Actors(browser, server, shots)
    try:
        thanh = actors.new("tp.thanh")
        open_from_worklist(thanh, code, "Phân công chuyên viên thụ lý")
        thanh.page.select_option("[name='data.assignee']", label="Nguyễn Trung Hiếu")
        finish(thanh)
        clock.advance(hours=1)
        hieu = actors.new("cv.hieu")
        open_from_worklist(hieu, code, "Kiểm tra hồ sơ, dự thảo văn bản lấy ý kiến phối hợp")
        hieu.page.fill("[name='data.y_kien']", "Hồ sơ đủ điều kiện gửi lấy ý kiến phối hợp")
        finish(hieu, "consult")
        clock.advance(hours=1)
        linh = actors.new("cv.linh")
        open_from_worklist(linh, code, "Cho ý kiến về nội dung bảo vệ môi trường của dự án")
        linh.page.fill("[name='data.y_kien']", "Thống nhất nội dung bảo vệ môi trường")
        finish(linh, "agree")
        clock.advance(hours=1)
        open_from_worklist(hieu, code, "Tổng hợp ý kiến, dự thảo thông báo kết quả thẩm định")
        hieu.page.fill("[name='data.y_kien']", "Đủ điều kiện thông báo kết quả thẩm định")
        finish(hieu, "approve")
        clock.advance(hours=1)
        open_from_worklist(thanh, code, "Xem xét, trình lãnh đạo Sở ký")
        thanh.page.fill("[name='data.y_kien']", RETURN_REASON)
        send_back(thanh)
        yield code
    finally:
        actors.close()


def assert_fits_the_phone(officer: Officer, what: str) -> None:
    page = officer.page
    assert page.viewport_size["width"] == PHONE_WIDTH
    assert page_width(page) <= PHONE_WIDTH, f"{what} scrolls sideways: {too_wide(page)[:8]}"
    assert too_wide(page) == [], f"{what}: wider than the phone"


# ------------------------------------------------------------------ the desk's receive form

def test_the_receive_form_fits_a_phone(actors: Actors) -> None:
    lan = actors.new("mc.lan", phone=True)
    lan.go(f"/dossiers/new?procedure={PROCEDURE}")
    assert_fits_the_phone(lan, "the receive form")
    # Rows added to the lists keep their fields side by side within the screen.
    add_row(lan.page, "received.documents")
    add_row(lan.page, "data.ho_so_kem_theo")
    lan.page.fill("[name='received.documents[4].name']", MORE_PAPERS[0])
    assert_fits_the_phone(lan, "the receive form with rows added")
    lan.shot("receive-phone")


def test_the_receive_form_aligns_fields_at_the_desk(actors: Actors) -> None:
    lan = actors.new("mc.lan")
    lan.go(f"/dossiers/new?procedure={PROCEDURE}")
    page = lan.page
    assert page_width(page) <= 1366
    def bottoms(names: list[str]) -> list[float]:
        boxes = [page.locator(f"[name='{name}']").bounding_box() for name in names]
        return [box["y"] + box["height"] for box in boxes if box]

    # Fields side by side have their inputs on one line, however long their labels.
    line = bottoms([f"data.moi_truong.{name}"
                    for name in ("phan_loai", "so_quyet_dinh_dtm", "ngay_quyet_dinh_dtm")])
    assert len(line) == 3 and max(line) - min(line) <= 2, line
    # The papers list: name, originals and copies of a paper on one row.
    line = bottoms([f"received.documents[0].{name}" for name in ("name", "original", "copy")])
    assert len(line) == 3 and max(line) - min(line) <= 2, line
    lan.shot("receive-desk")


# ------------------------------------------------------------------ the receipt, printed

def test_the_receipt_prints_on_one_a4_page(actors: Actors, code: str) -> None:
    lan = actors.new("mc.lan")
    lan.go(f"/dossiers/{code}/documents/receipt")
    page = lan.page
    lan.shot("receipt")
    page.emulate_media(media="print")
    lan.shot("receipt-print")
    printed = {"Chromium": page.pdf(format="A4", print_background=True)}
    page.emulate_media(media="screen")
    served = page.context.request.get(f"{lan.base}/dossiers/{code}/documents/receipt?format=pdf")
    assert served.status == 200
    printed["WeasyPrint"] = served.body()
    served.dispose()
    for engine, pdf in printed.items():
        pages, text = pdf_pages(pdf)
        assert pages == 1, f"{engine}: the receipt takes {pages} A4 pages"
        # Every field Mẫu 01 prints is still there.
        for expected in (code, "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", APPLICANT, ADDRESS,
                         "Số điện thoại: 0912345678", "Nội dung yêu cầu giải quyết",
                         "Tên giấy tờ", "Bản chính", "Bản sao", MORE_PAPERS[-1],
                         "Số lượng hồ sơ: 02 bộ", "Thời gian nhận hồ sơ: 09 giờ 00 phút",
                         "Thời gian trả kết quả", "Nơi trả kết quả", "Phí, lệ phí",
                         "Quyển số", "Số thứ tự", "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ",
                         "Phan Thị Lan"):
            assert expected in text, f"{engine}: {expected!r} missing from the receipt"
        assert EMAIL in text.replace(" ", ""), engine


# ------------------------------------------------------------------ the task page

def test_the_application_panel_wraps_between_syllables(actors: Actors, code: str) -> None:
    thanh = actors.new("tp.thanh")
    thanh.go("/tasks")
    with thanh.page.expect_navigation():
        thanh.page.locator("table.worklist tbody tr", has_text=code).locator(
            "a", has_text=code).click()
    page = thanh.page
    panel = page.locator("aside.side-col section.card", has_text="Tờ khai").first
    assert panel.locator("dt", has_text="Số quyết định phê duyệt kết quả thẩm định").count()
    assert broken_words(page, "aside.side-col") == []
    assert broken_words(page, ".summary") == []
    # The long email breaks within the panel instead of widening it.
    assert panel.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert page_width(page) <= 1366
    thanh.shot("task-application-panel")


def test_a_step_sent_back_says_why_at_the_desk_and_on_a_phone(
        actors: Actors, sent_back: str) -> None:
    step = "Tổng hợp ý kiến, dự thảo thông báo kết quả thẩm định"
    hieu = actors.new("cv.hieu")
    open_from_worklist(hieu, sent_back, step)
    page = hieu.page
    banner = page.locator(".sent-back")
    assert "Hồ sơ được trả lại" in banner.inner_text()
    assert RETURN_REASON in banner.inner_text() and "Lê Văn Thành" in banner.inner_text()
    # The form comes back filled with what was entered the first time.
    assert page.input_value("[name='data.y_kien']") == "Đủ điều kiện thông báo kết quả thẩm định"
    assert page.locator("textarea#note").is_visible()
    assert broken_words(page, "main") == []
    hieu.shot("task-sent-back")

    phone = actors.new("cv.hieu", phone=True)
    phone.go(page.url.removeprefix(phone.base))
    assert phone.page.locator(".sent-back").is_visible()
    assert_fits_the_phone(phone, "the task page")
    phone.page.locator("details.entries > summary").first.click()
    assert_fits_the_phone(phone, "the task page with entries open")
    phone.shot("task-sent-back-phone")


# ------------------------------------------------------------------ the dossier page

def test_the_dossier_page_fits_a_phone(actors: Actors, sent_back: str) -> None:
    desk = actors.new("mc.lan")
    desk.go(f"/dossiers/{sent_back}")
    steps = desk.page.locator("table.steps tbody tr")
    assert steps.filter(has_text="Tổng hợp ý kiến").locator(".mark.back").count() == 1
    assert desk.page.locator("ol.timeline .mark.back").count() >= 1
    assert page_width(desk.page) <= 1366
    assert broken_words(desk.page, "main") == []
    desk.shot("dossier-desk")

    lan = actors.new("mc.lan", phone=True)
    lan.go(f"/dossiers/{sent_back}")
    page = lan.page
    assert_fits_the_phone(lan, "the dossier page")
    # Every row of the steps table is a card that shows its labels.
    first = page.locator("table.steps tbody tr").first
    assert first.locator("td[data-label='Hạn']").is_visible()
    for summary in page.locator("details.entries > summary").all():
        summary.click()
    assert_fits_the_phone(lan, "the dossier page with every step's entries open")
    assert broken_words(page, "main") == []
    lan.shot("dossier-phone")
