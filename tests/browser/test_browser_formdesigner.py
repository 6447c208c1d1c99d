"""The form designer in headless Chromium: a draft generated from the decision gets a new
form built field by field (text with a ready pattern, a number with a limit, a choice as
radio buttons, a table of rows), its preview drawn by the officers' renderer shows an error
beside the field for wrong sample data, the form is saved and is in the draft's API answer.
A second designer's save is a conflict that keeps the first one's rows; without JavaScript
the page still shows the rows and the preview. No request leaves the server."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_support import (
    Actors,
    LiveServer,
    Officer,
    scroll_overflow,
)
from designer_support import Outside, generate_from_library, sign_in

from support.api import PROCEDURE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FORM_TITLE = "Ý kiến pháp chế"
FORM_KEY = "y-kien-phap-che"


def draft_id(designer: Officer) -> int:
    match = re.search(r"/design/drafts/(\d+)", designer.page.url)
    assert match, designer.page.url
    return int(match.group(1))


def new_form(designer: Officer) -> int:
    """A draft generated from the decision, its forms page, a form added by its title."""
    generate_from_library(designer, PROCEDURE)
    draft = draft_id(designer)
    page = designer.page
    designer.go(f"/design/drafts/{draft}/forms")
    assert page.locator("table.fd-forms tbody tr").count() >= 1
    designer.shot("forms")
    page.fill("#new-title", FORM_TITLE)
    with page.expect_navigation():
        page.click("button:text-is('Thêm biểu mẫu')")
    assert page.url.endswith(f"/design/drafts/{draft}/forms/{FORM_KEY}")
    page.wait_for_selector("body[data-formdesigner-ready=true]")
    return draft


def add_field(page: Any, kind: str, title: str, scope: str = "#fd-rows-editor-list") -> str:
    """Adds a field of ``kind`` at the end of the list in ``scope``; answers its card's
    selector."""
    adder = page.locator(f"{scope} > .fd-rows > .fd-adder")
    adder.locator("select").select_option(kind)
    adder.locator("button.fd-add").click()
    card = page.locator(f"{scope} > .fd-rows > ol > li.fd-row").last
    row_id = card.get_attribute("data-row-id")
    page.locator(f"#{row_id}-title").press_sequentially(title)
    return f"li.fd-row[data-row-id='{row_id}']"


def key_of(page: Any, card: str, key: str) -> None:
    page.wait_for_function(
        "([card, key]) => { const c = document.querySelector(card + ' .fd-key code');"
        " return c && c.textContent === key; }", arg=[card, key])


def build(page: Any) -> None:
    name = add_field(page, "text", "Họ và tên")
    page.check(f"{name} input[type=checkbox]")
    key_of(page, name, "ho_va_ten")
    number = add_field(page, "text", "Số định danh cá nhân")
    row = page.locator(number).get_attribute("data-row-id")
    page.select_option(f"#{row}-pattern", "cccd")
    # The ready pattern offers its hint as the field's help, which the error will quote.
    assert "12 chữ số" in page.locator(f"#{row}-help").input_value()
    copies = add_field(page, "integer", "Số bản")
    row = page.locator(copies).get_attribute("data-row-id")
    page.fill(f"#{row}-maximum", "10")
    page.fill(f"#{row}-default", "1")
    # The preview shows a new default at once (no one typed into the field yet).
    page.wait_for_selector("#fd-preview [name='data.so_ban'][value='1']")
    verdict = add_field(page, "radio", "Kết luận")
    row = page.locator(verdict).get_attribute("data-row-id")
    # A choice without its options' labels: the problem shows on the row, and its entry in
    # the list leads there.
    page.wait_for_selector(f"{verdict}.fd-has-problem .fd-row-problem")
    page.click("#fd-problems li button")
    page.wait_for_function("id => document.activeElement.id === id", arg=f"{row}-opt-0")
    page.fill(f"#{row}-opt-0", "Đồng ý")
    page.click(f"{verdict} .fd-options button:text-is('Thêm lựa chọn')")
    page.fill(f"#{row}-opt-1", "Không đồng ý")
    table = add_field(page, "group", "Giấy tờ kèm theo")
    inner = page.locator(f"{table} li.fd-row").first.get_attribute("data-row-id")
    page.locator(f"#{inner}-title").press_sequentially("Tên giấy tờ")
    key_of(page, table, "giay_to_kem_theo")
    page.wait_for_selector("#fd-preview [name='data.giay_to_kem_theo[0].ten_giay_to'], "
                           "#fd-preview button[value='add:data.giay_to_kem_theo']")
    page.wait_for_selector("#fd-preview input[name='data.ket_luan'][value='Không đồng ý']")
    page.wait_for_selector(".fd-has-problem", state="detached")


def test_build_a_form_see_its_preview_check_sample_data_and_save_it(
        actors: Actors, outside: Outside, server: LiveServer) -> None:
    designer = sign_in(actors, outside, "qt.binh")
    draft = new_form(designer)
    page = designer.page
    assert page.locator("#fd-status").inner_text().startswith("Đã lưu")
    build(page)
    assert page.locator("#fd-status").get_attribute("data-state") == "dirty"
    preview = page.locator("#fd-preview")
    for name in ("data.ho_va_ten", "data.so_dinh_danh_ca_nhan", "data.so_ban"):
        assert preview.locator(f"[name='{name}']").count() == 1
    assert preview.locator("input[type=radio][name='data.ket_luan']").count() == 2
    assert page.locator("#fd-problems li").count() == 0
    designer.shot("built")
    # Wrong sample data: the error shows beside the field, as on the task page.
    preview.locator("[name='data.so_dinh_danh_ca_nhan']").fill("12345")
    preview.locator("[name='data.so_ban']").fill("11")
    page.click("#fd-check")
    page.wait_for_selector("#f-data-so_dinh_danh_ca_nhan--error")
    assert "12 chữ số" in page.locator("#f-data-so_dinh_danh_ca_nhan--error").inner_text()
    assert "10" in page.locator("#f-data-so_ban--error").inner_text()
    assert page.locator("#f-data-ho_va_ten--error").count() == 1  # required, left blank
    assert preview.locator("[name='data.so_dinh_danh_ca_nhan']").input_value() == "12345"
    assert "lỗi" in page.locator("#fd-sample-status").inner_text()
    designer.shot("sample-errors")
    # Corrected, the data passes.
    preview.locator("[name='data.ho_va_ten']").fill("Trần Thị Bình")
    preview.locator("[name='data.so_dinh_danh_ca_nhan']").fill("001090012345")
    preview.locator("[name='data.so_ban']").fill("2")
    preview.locator("[name='data.so_ban']").press("Tab")
    page.wait_for_function("() => document.querySelector('#fd-sample-status').textContent"
                           " === 'Dữ liệu mẫu hợp lệ.'")
    # The experts' view holds the compiled pair; back to the rows, nothing lost.
    page.click("#fd-tab-json")
    page.wait_for_selector("#fd-json:not([hidden])")
    assert '"so_dinh_danh_ca_nhan"' in page.locator("#fd-json-text").input_value()
    assert '"^[0-9]{12}$"' in page.locator("#fd-json-text").input_value()
    # An expert writes what rows cannot say (examples): back in the rows it is shown, kept.
    page.evaluate("""() => {
        const text = document.querySelector('#fd-json-text');
        const pair = JSON.parse(text.value);
        pair.schema.properties.so_ban.examples = [2];
        text.value = JSON.stringify(pair, null, 2);
        text.dispatchEvent(new Event('input', {bubbles: true}));
    }""")
    designer.shot("json")
    page.click("#fd-tab-rows")
    page.wait_for_selector("#fd-rows:not([hidden])")
    assert page.locator("#fd-rows-editor-list > .fd-rows > ol > li.fd-row").count() == 5
    kept = page.locator("li.fd-row[data-key='so_ban'] .fd-kept pre")
    assert '"examples"' in kept.text_content()
    page.click("#fd-save")
    page.wait_for_function("() => document.querySelector('#fd-status').dataset.state"
                           " === 'saved'")
    assert page.locator("#fd-status").inner_text() == "Đã lưu (bản 3)."
    assert page.locator(".fd-lock").count() >= 5  # the keys are the data's names for good
    designer.shot("saved")
    answer = page.request.get(f"{server.url}/api/v1/drafts/{draft}").json()
    assert answer["revision"] == 3
    form = answer["forms"][FORM_KEY]
    assert list(form["ui"]["ui:order"]) == ["ho_va_ten", "so_dinh_danh_ca_nhan", "so_ban",
                                            "ket_luan", "giay_to_kem_theo"]
    assert form["schema"]["required"] == ["ho_va_ten"]
    assert form["schema"]["properties"]["so_ban"]["maximum"] == 10
    assert form["schema"]["properties"]["so_ban"]["examples"] == [2]
    assert form["schema"]["properties"]["so_ban"]["default"] == 1
    assert form["schema"]["properties"]["giay_to_kem_theo"]["items"]["properties"] == {
        "ten_giay_to": {"type": "string", "title": "Tên giấy tờ"}}
    # The forms page lists it with its fields.
    designer.go(f"/design/drafts/{draft}/forms")
    row = page.locator(f"tr[data-form-key='{FORM_KEY}']")
    assert FORM_TITLE in row.inner_text() and "Chưa dùng ở đâu" in row.inner_text()
    assert outside.requests == []


def test_a_save_after_someone_elses_is_a_conflict_that_keeps_the_rows(
        actors: Actors, outside: Outside) -> None:
    first = sign_in(actors, outside, "qt.binh")
    generate_from_library(first, PROCEDURE)
    draft = draft_id(first)
    first.go(f"/design/drafts/{draft}/forms")
    key = first.page.locator("table.fd-forms tbody tr").first.get_attribute("data-form-key")
    url = f"/design/drafts/{draft}/forms/{key}"
    first.go(url)
    first.page.wait_for_selector("body[data-formdesigner-ready=true]")
    second = sign_in(actors, outside, "qt.binh")
    second.go(url)
    second.page.wait_for_selector("body[data-formdesigner-ready=true]")
    add_field(second.page, "text", "Ghi chú của người thứ hai")
    second.page.click("#fd-save")
    second.page.wait_for_function("() => document.querySelector('#fd-status').dataset.state"
                                  " === 'saved'")
    card = add_field(first.page, "date", "Ngày hẹn")
    first.page.click("#fd-save")
    first.page.wait_for_selector(".fd-notice.error")
    assert "phiên bản 2" in first.page.locator("#fd-notice").inner_text()
    assert first.page.locator(card).count() == 1  # the rows are still on the page
    first.shot("conflict")
    first.page.click("#fd-notice button")
    first.page.wait_for_selector("body[data-formdesigner-ready=true]")
    first.page.wait_for_selector(".fd-notice.warning")
    first.page.click(".fd-notice button:text-is('Dùng lại thay đổi của tôi')")
    first.page.wait_for_selector("#fd-rows-editor-list input[value='Ngày hẹn']")
    first.page.click("#fd-save")
    first.page.wait_for_function("() => document.querySelector('#fd-status').dataset.state"
                                 " === 'saved'")
    assert first.page.locator("#fd-status").inner_text() == "Đã lưu (bản 3)."
    assert outside.requests == []


@pytest.mark.parametrize("phone", [False, True], ids=["desk", "phone"])
def test_the_editor_fits_the_screen_and_works_without_javascript(
        actors: Actors, outside: Outside, phone: bool) -> None:
    designer = sign_in(actors, outside, "qt.binh", phone=phone)
    generate_from_library(designer, PROCEDURE)
    draft = draft_id(designer)
    designer.go(f"/design/drafts/{draft}/forms")
    key = designer.page.locator("table.fd-forms tbody tr").first.get_attribute("data-form-key")
    designer.go(f"/design/drafts/{draft}/forms/{key}")
    designer.page.wait_for_selector("body[data-formdesigner-ready=true]")
    assert scroll_overflow(designer.page) == 0
    editor = designer.page.locator(".fd-editor").bounding_box()
    preview = designer.page.locator(".fd-preview").bounding_box()
    assert editor and preview
    # Side by side on a wide screen, one under the other on a phone.
    assert (preview["y"] >= editor["y"] + editor["height"]) if phone else (
        preview["x"] >= editor["x"] + editor["width"])
    designer.shot("phone" if phone else "desk")
    plain = actors.new("qt.binh", phone=phone, javascript=False)
    outside.watch(plain.page.context)
    plain.go(f"/design/drafts/{draft}/forms/{key}")
    assert plain.page.locator("table.fd-static tbody tr").count() >= 1
    assert plain.page.locator("#fd-preview [name^='data.']").count() >= 1
    assert not plain.page.locator("#fd-toolbar").is_visible()
    with plain.page.expect_navigation():
        plain.page.click("#fd-check")
    assert plain.page.locator("#fd-sample-status").inner_text().startswith("Dữ liệu mẫu")
    plain.shot("no-javascript" + ("-phone" if phone else ""))
    assert outside.requests == []


def test_a_save_without_an_answer_says_so_and_saves_again(actors: Actors,
                                                          outside: Outside) -> None:
    # The request failing outright (network, server down) left "Đang lưu…" forever.
    designer = sign_in(actors, outside, "qt.binh")
    new_form(designer)
    page = designer.page
    add_field(page, "text", "Ghi chú")
    page.route("**/api/v1/drafts/*/forms/*",
               lambda route: route.abort() if route.request.method == "PUT"
               else route.continue_())
    page.click("#fd-save")
    page.wait_for_function("() => document.querySelector('#fd-status').dataset.state"
                           " === 'error'")
    assert "Máy chủ không trả lời được" in page.locator("#fd-notice").inner_text()
    page.unroute("**/api/v1/drafts/*/forms/*")
    page.click("#fd-save")
    page.wait_for_function("() => document.querySelector('#fd-status').dataset.state"
                           " === 'saved'")
    assert page.locator("#fd-status").inner_text() == "Đã lưu (bản 3)."
    assert outside.requests == []


def test_another_ready_pattern_brings_its_own_hint(actors: Actors, outside: Outside) -> None:
    # The first pattern's hint stayed as the help when another was picked, and the error
    # message quotes the help: "12 chữ số trên thẻ căn cước" for a phone number.
    designer = sign_in(actors, outside, "qt.binh")
    new_form(designer)
    page = designer.page
    card = add_field(page, "text", "Số điện thoại")
    row = page.locator(card).get_attribute("data-row-id")
    page.select_option(f"#{row}-pattern", "cccd")
    assert "12 chữ số" in page.locator(f"#{row}-help").input_value()
    page.select_option(f"#{row}-pattern", "phone")
    assert "Số di động" in page.locator(f"#{row}-help").input_value()
    page.select_option(f"#{row}-pattern", "")
    assert page.locator(f"#{row}-help").input_value() == ""
    # A help the designer wrote stays whatever pattern is picked.
    page.fill(f"#{row}-help", "Số liên hệ của người nộp")
    page.select_option(f"#{row}-pattern", "phone")
    assert page.locator(f"#{row}-help").input_value() == "Số liên hệ của người nộp"
    assert outside.requests == []
