"""web/static/forms.js in a real browser: rows added and removed in the page post the same
names the server would have drawn."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from motcua.forms import parse_form, render_form
from support.forms import REPO, assert_accessible, parse_html

SCRIPT = (REPO / "web" / "static" / "forms.js").read_text(encoding="utf-8")
SCHEMA = {"type": "object", "required": ["thanh_phan"], "properties": {
    "thanh_phan": {"type": "array", "title": "Thành phần", "items": {
        "type": "object", "required": ["ten"], "properties": {
            "ten": {"type": "string", "title": "Tên giấy tờ"},
            "so_luong": {"type": "integer", "title": "Số lượng", "default": 1},
            "trang": {"type": "array", "title": "Trang", "items": {"type": "string"}}}}}}}


@pytest.fixture(scope="module")
def browser_page() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_api.sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=executable)
        except sync_api.Error as exc:
            pytest.skip(f"no Chromium for the forms.js test: {exc.message.splitlines()[0]}")
        yield browser.new_page()
        browser.close()


def load_form(page: Any, values: dict[str, Any]) -> None:
    fields = render_form(SCHEMA, None, values)
    page.set_content(f'<!doctype html><html lang="vi"><body><form id="f" method="post">{fields}'
                     f'<button name="go">Lưu</button></form><script>{SCRIPT}</script>'
                     "</body></html>")


def posted(page: Any) -> MultiDict[str, str]:
    return MultiDict(page.evaluate(
        "Array.from(new FormData(document.getElementById('f'))).map(([k, v]) => [k, v])"))


def test_rows_added_and_removed_in_the_page_are_renumbered(browser_page: Any) -> None:
    page = browser_page
    load_form(page, {"thanh_phan": [{"ten": "A", "trang": ["1"]},
                                    {"ten": "B", "trang": ["2", "3"]}]})

    page.click("button[value='add:data.thanh_phan']")
    assert page.evaluate("document.activeElement.name") == "data.thanh_phan[2].ten"
    assert page.input_value("[name='data.thanh_phan[2].so_luong']") == "1"

    page.click("button[value='remove:data.thanh_phan:0']")
    assert page.input_value("[name='data.thanh_phan[0].ten']") == "B"
    assert page.input_value("[name='data.thanh_phan[0].trang[1]']") == "3"
    assert page.locator("[name='data.thanh_phan[2].ten']").count() == 0
    assert page.locator("#f-data-thanh_phan-0-trang-1").get_attribute("name") == (
        "data.thanh_phan[0].trang[1]")
    assert page.locator("fieldset#f-data-thanh_phan-1 > legend").inner_text() == "Dòng 2"
    assert page.locator("fieldset#f-data-thanh_phan-1 > button[data-form-remove]") \
        .get_attribute("value") == "remove:data.thanh_phan:1"

    page.fill("[name='data.thanh_phan[1].ten']", "C")
    page.click("button[value='add:data.thanh_phan[0].trang']")
    page.fill("[name='data.thanh_phan[0].trang[2]']", "4")
    page.click("button[value='remove:data.thanh_phan[0].trang:0']")

    parsed = parse_form(SCHEMA, None, posted(page))
    assert parsed.problems == []
    assert parsed.data == {"thanh_phan": [{"ten": "B", "trang": ["3", "4"]},
                                          {"ten": "C", "so_luong": 1}]}
    assert_accessible(parse_html(page.inner_html("#f")))


def test_without_rows_the_template_gives_the_first(browser_page: Any) -> None:
    page = browser_page
    load_form(page, {"thanh_phan": []})
    page.click("button[value='add:data.thanh_phan']")
    page.fill("[name='data.thanh_phan[0].ten']", "Đơn")
    assert parse_form(SCHEMA, None, posted(page)).data == {
        "thanh_phan": [{"ten": "Đơn", "so_luong": 1}]}
    page.click("button[value='remove:data.thanh_phan:0']")
    assert page.evaluate("document.activeElement.value") == "add:data.thanh_phan"
