"""The /dossiers page: the search form without JavaScript, its results and pages, the
agency choices each reader gets, the CSV and Excel downloads of the current filter, the
applicants' own list, and the login it needs."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import insert, select

from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.folding import fold
from support.clock import FakeClock
from support.paths import SAMPLES
from support.walk import Walker
from support.web import Browser, Isolated, sign_in, text

PROCEDURE = "2.000488"
FORM = "to-khai-ly-lich-tu-phap"
CITIZEN = {"username": "cong.dan", "full_name": "Trần Văn Bình", "password": "cong-dan-2026",
           "kind": "applicant", "memberships": []}


@pytest.fixture
def walker(province: Callable[..., dict[str, Any]],
           make_walker: Callable[..., Walker]) -> Walker:
    return make_walker(province(users=[CITIZEN])["users"], SAMPLES / "forms")


def _new(walker: Walker, name: str) -> str:
    code: str = walker.create("mc.lan", PROCEDURE, FORM, applicant={
        "name": name, "id_number": "001090012345", "phone": "0912345678",
        "address": "Hà Nội"})["code"]
    return code


def _rows(page: str) -> list[str]:
    """The dossier codes of the results table, in order."""
    return re.findall(r'<td data-label="Mã hồ sơ"><a href="/dossiers/([^"]+)">', page)


def _copies(code: str, count: int, prefix: str = "BULK") -> None:
    table = Dossier.__table__
    row = dict(db.session.execute(select(table).where(table.c.code == code)).mappings().one())
    row.pop("id")
    db.session.execute(insert(table), [
        {**row, "code": f"{prefix}-{i:05d}", "applicant_name": "Phạm Văn Đông",
         "applicant_name_search": fold("Phạm Văn Đông")} for i in range(count)])


def test_an_anonymous_visitor_is_sent_to_login(app: Flask, walker: Walker) -> None:
    response = Isolated(app.test_client()).get("/dossiers?q=binh")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "dossiers" in response.headers["Location"]


def test_the_list_shows_what_the_reader_may_open(app: Flask, walker: Walker) -> None:
    binh = _new(walker, "Nguyễn Văn Bình")
    an = _new(walker, "Lê Văn An")
    page = text(Browser(app, "gd.son").get("/dossiers"))
    assert _rows(page) == [an, binh]
    assert "2 hồ sơ" in page and "Nguyễn Văn Bình" in page and "Mới tiếp nhận" in page
    assert "Cấp Phiếu lý lịch tư pháp" in page
    assert 'href="/dossiers"' in page  # the navigation's "Hồ sơ"
    assert "001090012345" not in page and "0912345678" not in page
    # A specialist who worked on neither finds neither, and is offered no agency choice.
    specialist = text(Browser(app, "cv.dung").get("/dossiers"))
    assert _rows(specialist) == [] and "Không có hồ sơ nào" in specialist
    assert 'name="agency"' not in specialist
    # The home page leads here.
    assert 'href="/dossiers"' in text(Browser(app, "cv.dung").get("/"))


def test_filters_narrow_the_list(app: Flask, walker: Walker, clock: FakeClock) -> None:
    binh = _new(walker, "Nguyễn Văn Bình")
    walker.complete("mc.lan", binh, "accept")
    clock.advance(days=15)  # past the 10 working days of 2.000488
    an = _new(walker, "Lê Văn An")
    browser = Browser(app, "ks.nga")
    assert _rows(text(browser.get("/dossiers?q=nguyen+van+binh"))) == [binh]
    assert _rows(text(browser.get("/dossiers?q=" + an.lower()))) == [an]
    assert _rows(text(browser.get("/dossiers?status=processing"))) == [binh]
    assert _rows(text(browser.get("/dossiers?status=received&procedure=" + PROCEDURE))) == [an]
    late = text(browser.get("/dossiers?late=true"))
    assert _rows(late) == [binh] and "Quá hạn</span>" in late
    # Empty boxes of the GET form are no filter.
    everything = text(browser.get("/dossiers?q=&status=&procedure=&from=&to="))
    assert _rows(everything) == [an, binh]
    day = clock.at.date().isoformat()
    assert _rows(text(browser.get(f"/dossiers?from={day}&to={day}"))) == [an]
    # The chosen values stay in the form.
    page = text(browser.get("/dossiers?q=binh&status=processing&late=true"))
    assert 'value="binh"' in page and 'value="processing" selected' in page
    assert 'name="late" value="true" checked' in page


def test_a_bad_filter_is_said_on_the_form(app: Flask, walker: Walker) -> None:
    _new(walker, "Nguyễn Văn Bình")
    browser = Browser(app, "ks.nga")
    response = browser.get("/dossiers?from=2026-03-20&to=2026-03-10")
    assert response.status_code == 422
    page = text(response)
    assert "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu" in page
    assert 'id="to" name="to" type="date" value="2026-03-10" aria-invalid="true"' in page
    assert _rows(page) == []
    unknown = browser.get("/dossiers?agency=000.99.99.H99")
    assert unknown.status_code == 422 and "Không có cơ quan mã" in text(unknown)
    assert browser.get("/dossiers?status=lost").status_code == 422
    for name in ("q", "procedure", "agency"):
        assert browser.get(f"/dossiers?{name}=a%00b").status_code == 422, name
    long = browser.get("/dossiers?q=" + "a" * 101)  # typed in the address bar
    assert long.status_code == 422 and "Tối đa 100 ký tự" in text(long)
    assert browser.get("/dossiers?format=pdf").status_code == 422


def test_agency_choices_follow_the_reader(app: Flask, walker: Walker) -> None:
    def choices(user: str) -> list[str]:
        page = text(Browser(app, user).get("/dossiers"))
        select_ = re.search(r'<select id="agency".*?</select>', page, re.S)
        return re.findall(r'<option value="([^"]+)"', select_.group(0)) if select_ else []

    assert len(choices("ks.nga")) == 7  # every agency of the province
    assert choices("gd.son") == ["000.00.12.H99", "000.12.12.H99"]  # Sở and its unit
    assert choices("xa.chutich") == ["000.00.20.H99", "000.31.20.H99"]
    assert choices("mc.lan") == []


def test_exports_carry_the_current_filter(app: Flask, walker: Walker) -> None:
    binh = _new(walker, "Nguyễn Văn Bình")
    _new(walker, "Lê Văn An")
    hyphen = _new(walker, "=HYPERLINK(\"x\")")
    browser = Browser(app, "gd.son")
    page = text(browser.get("/dossiers?q=binh"))
    assert 'href="/dossiers?q=binh&amp;format=csv"' in page
    assert 'href="/dossiers?q=binh&amp;format=xlsx"' in page
    csv = browser.get("/dossiers?q=binh&format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "attachment" in csv.headers["Content-Disposition"]
    body = csv.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Mã hồ sơ,Mã thủ tục,Tên thủ tục")
    assert len(lines) == 2 and lines[1].startswith(binh + ",")
    assert "Nguyễn Văn Bình" in lines[1] and "Mới tiếp nhận" in lines[1]
    assert "001090012345" not in body.decode("utf-8-sig")
    everything = browser.get("/dossiers?format=xlsx&page=2")  # paging is not a filter
    sheet = load_workbook(io.BytesIO(everything.get_data())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 4 and rows[0][0] == "Mã hồ sơ"
    assert rows[1][0] == hyphen and rows[1][4] == "'=HYPERLINK(\"x\")"  # stays text


def test_a_name_with_control_characters_downloads_as_excel(app: Flask, walker: Walker) -> None:
    # A name pasted with a vertical tab is stored; openpyxl refuses it in a worksheet.
    code = _new(walker, "Trần\x0bThị\x1b Hoa")
    response = Browser(app, "ks.nga").get("/dossiers?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet is not None
    assert [r[:5:4] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        (code, "TrầnThị Hoa")]


def test_pages_and_the_capped_total(app: Flask, walker: Walker) -> None:
    seed = _new(walker, "Nguyễn Văn Bình")
    _copies(seed, 44)
    browser = Browser(app, "ks.nga")
    first = text(browser.get("/dossiers"))
    assert "45 hồ sơ · trang 1/3" in first and len(_rows(first)) == 20
    assert 'href="/dossiers?page=2" rel="next"' in first and 'rel="prev"' not in first
    last = text(browser.get("/dossiers?page=3"))
    assert _rows(last)[-1] == seed and len(_rows(last)) == 5
    assert 'href="/dossiers?page=2" rel="prev"' in last and 'rel="next"' not in last
    _copies(seed, 10_000, "MORE")
    capped = text(browser.get("/dossiers?page=2"))
    assert "Hơn 10.000 hồ sơ · trang 2/500" in capped


def test_an_applicant_lists_their_own_dossiers(app: Flask, walker: Walker) -> None:
    _new(walker, "Nguyễn Văn Bình")
    own: str = walker.create("cong.dan", PROCEDURE, FORM, channel="online",
                             applicant={})["code"]
    client = Isolated(app.test_client())
    sign_in(client, "cong.dan", "cong-dan-2026")
    page = text(client.get("/dossiers"))
    assert _rows(page) == [own] and "Trần Văn Bình" in page
    assert 'name="agency"' not in page
