"""The auditor's pages in headless Chromium, on the sample province with a month of dossiers
walked through the API as its officers (one on time, one late without an apology, one with a
supplement request, one still open past its appointment) and the day's tree head sealed.

The auditor (ks.nga) follows the audit's sub-navigation to every page at the desk's size,
opens each one again on a phone, and on every page: nothing scrolls the page sideways (wide
tables scroll in their own box), the console stays clean, no request leaves the server. On
the way: the indicators' drill-down, a procedure's conformance findings, a dossier's
execution findings, the integrity check, the access log of the auditor's own reads, a
setting changed and saved (CSRF), and an accent-free search in /dossiers. A leader (gd.son)
sees their agency's dashboard and indicators and is refused the conformance page; without
JavaScript the statistics form still submits and the chart's data table is there."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from browser_support import PHONE, Actors, LiveServer, Officer, click_and_wait
from designer_support import Outside
from geometry import too_wide

from motcua.audit.integrity.seal import seal
from motcua.db import db
from support.api import Api
from support.clock import local
from support.paths import SAMPLES
from support.walk import Walker

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROCEDURE = "2.000488"
START_FORM = "to-khai-ly-lich-tu-phap"
AUDITOR, LEADER = "ks.nga", "gd.son"
# Searched for typed without its accents.
ON_TIME_NAME, ON_TIME_TYPED = "Nguyễn Văn Bình", "nguyen van binh"
LATE_NAME = "Trần Thị Hoà"
SUPPLEMENT_NAME = "Lê Văn Cường"
OPEN_NAME = "Phạm Thị Dung"
SUPPLEMENT_REASON = "Thiếu bản sao căn cước của người yêu cầu"
# Each step's completer and outcome after reception (the sample process, in order).
STEPS: tuple[tuple[str, str | None, dict[str, Any]], ...] = (
    ("tp.hung", None, {"assignee": "cv.mai"}), ("cv.mai", "approve", {}),
    ("tp.hung", "agree", {}), ("gd.son", "sign", {}), ("vt.ha", None, {}), ("mc.lan", None, {}))
END = local(2026, 3, 31, 15, 0)  # when the audit looks: after B's and D's appointment
PHONE_WIDTH = PHONE["viewport"]["width"]
VERIFY = "/audit/integrity/verify"
CHECK_BUTTON = "button:has-text('Kiểm tra toàn vẹn')"


@dataclass
class Codes:
    on_time: str
    late: str
    supplement: str
    open: str


class Life:
    """One dossier of 2.000488 walked through the API, an hour per step."""

    def __init__(self, walker: Walker, server: LiveServer, name: str) -> None:
        self.walker, self.clock = walker, server.clock
        applicant = {"name": name, "id_number": "001090012345", "phone": "0912345678",
                     "address": "Số 7 phố Hàng Bài, phường Mẫu Sơn"}
        self.code: str = walker.create("mc.lan", PROCEDURE, START_FORM,
                                       applicant=applicant)["code"]

    def step(self, user: str, outcome: str | None = None, note: str | None = None,
             **data: Any) -> Life:
        self.clock.advance(hours=1)
        self.walker.complete(user, self.code, outcome, note=note, **data)
        return self

    def through(self, first: int, last: int = len(STEPS) - 1) -> Life:
        for user, outcome, data in STEPS[first:last + 1]:
            self.step(user, outcome, **data)
        return self


@pytest.fixture(scope="module")
def codes(server: LiveServer) -> Codes:
    """The month's dossiers, each walked at its own moment, and the day's tree head."""
    app, clock = server.app, server.clock
    walker = Walker(Api(app.test_client(), server.passwords), SAMPLES / "forms")
    on_time = Life(walker, server, ON_TIME_NAME).step("mc.lan", "accept").through(0)
    late = Life(walker, server, LATE_NAME).step("mc.lan", "accept").through(0, 0)
    opened = Life(walker, server, OPEN_NAME).step("mc.lan", "accept").through(0, 0)
    clock.set(local(2026, 3, 17, 9, 0))
    supplement = Life(walker, server, SUPPLEMENT_NAME).step("mc.lan", "accept").through(0, 0)
    supplement.step("cv.mai", "supplement", note=SUPPLEMENT_REASON)
    clock.set(local(2026, 3, 18, 9, 0))
    supplement.step("mc.lan").through(1)
    # Examined two weeks after it was assigned: returned after its appointment (10 working
    # days from 16/03), and nobody apologised.
    clock.set(local(2026, 3, 31, 8, 0))
    late.through(1)
    clock.set(END)
    with app.app_context():
        seal(local(2026, 3, 30).date(), clock())
        db.session.commit()
    return Codes(on_time.code, late.code, supplement.code, opened.code)


@dataclass
class Watched:
    """An officer whose page's console errors and failed requests are collected."""

    officer: Officer
    errors: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)  # the paths checked, in order

    @property
    def page(self) -> Any:
        return self.officer.page


def watched(actors: Actors, outside: Outside, username: str, *, phone: bool = False,
            javascript: bool = True) -> Watched:
    officer = actors.new(username, phone=phone, javascript=javascript, login=False)
    outside.watch(officer.page.context)
    result = Watched(officer)
    page = officer.page
    page.on("console", lambda m: result.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: result.errors.append(str(e)))
    page.on("response", lambda r: result.errors.append(f"{r.status} {r.url}")
            if r.status >= 500 else None)
    officer.login()
    return result


def check_page(who: Watched, name: str, outside: Outside) -> None:
    """What every audit page owes its reader at the size it is shown."""
    page = who.page
    width, scroll = page.evaluate(
        "[window.innerWidth, document.scrollingElement.scrollWidth]")
    # A phone zooms out to show a page wider than its screen (innerWidth grows with it): the
    # screen's own width is the measure.
    screen = page.viewport_size["width"]
    if width != screen or scroll > width + 1:
        pytest.fail(f"{name} is {scroll}px wide on a {screen}px screen (shown {width}px "
                    f"wide): {too_wide(page)[:6]}", pytrace=False)
    assert who.errors == [], f"{name}: {who.errors}"
    assert outside.requests == [], f"{name}: {outside.requests}"
    who.visited.append(str(page.url).removeprefix(who.officer.base).split("?")[0])
    who.officer.shot(name)


def follow(who: Watched, link: str) -> None:
    """Clicks the sub-navigation's link; the section it opens is marked as the current one."""
    click_and_wait(who.officer, f"nav.subnav >> text='{link}'")
    current = who.page.locator("nav.subnav a[aria-current]")
    assert current.count() == 1 and current.inner_text() == link, link


def auditor_pages(codes: Codes) -> list[tuple[str, str]]:
    """Every page the auditor reads (name, path), in the order the desk's walk reaches them."""
    return [
        ("home", "/audit"),
        ("dashboard", "/audit/dashboard"),
        ("statistics", "/audit/statistics"),
        ("reports", "/audit/reports"),
        ("periodic", "/audit/reports/2026-03"),
        ("indicators", "/audit/indicators"),
        ("indicator-dossiers", "/audit/indicators/on_time/dossiers"
                               "?from=2026-03-01&to=2026-03-31"),
        ("conformance", "/audit/conformance"),
        ("conformance-procedure", f"/audit/conformance/{PROCEDURE}?date=2026-03-31"),
        ("execution", "/audit/execution"),
        ("execution-dossier", f"/audit/dossiers/{codes.late}"),
        ("integrity", "/audit/integrity"),
        ("integrity-verified", VERIFY),  # where "Kiểm tra toàn vẹn" leads (a POST)
        ("access-log", "/audit/access-log"),
        ("settings", "/audit/settings"),
        ("dossiers", "/dossiers?q=" + ON_TIME_TYPED.replace(" ", "+")),
    ]


def path_of(who: Watched) -> str:
    return str(who.page.url).removeprefix(who.officer.base)


def figures(page: Any, selector: str) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(selector).all_inner_texts()]


# ------------------------------------------------------------------ the auditor at the desk

def walk_reports(nga: Watched, outside: Outside, codes: Codes) -> None:
    page = nga.page
    follow(nga, "Bảng điều hành")
    assert page.locator("h1").inner_text() == "Bảng điều hành — toàn tỉnh"
    # Every chart comes with the table of its figures.
    assert page.locator("figure.chart-figure svg").count() == 3
    assert page.locator("figure.chart-figure table.chart-data").count() == 3
    # A, B and C handled (two early, one late); D open past its appointment.
    assert figures(page, ".cards .count strong") == ["4", "1", "1", "66,7%"]
    assert codes.open in page.locator("section", has_text="Hồ sơ quá hạn hiện nay").inner_text()
    check_page(nga, "dashboard", outside)

    follow(nga, "Thống kê")
    total = page.locator("table.stats tfoot tr td").all_inner_texts()
    # received 4 (all at the desk), handled 3: 2 early, 0 on time, 1 late; 1 open past due;
    # one supplement request, no apology.
    assert total[1:4] == ["4", "0", "4"] and total[5:9] == ["3", "2", "0", "1"], total
    assert total[13:18] == ["1", "0", "1", "1", "0"], total
    check_page(nga, "statistics", outside)

    follow(nga, "Báo cáo định kỳ")
    current = page.locator("table tbody tr").first
    assert "Tháng 03/2026" in current.inner_text() and "Đang diễn ra" in current.inner_text()
    check_page(nga, "reports", outside)
    with page.expect_navigation():
        current.locator("a", has_text="Xem báo cáo").click()
    assert path_of(nga) == "/audit/reports/2026-03"
    assert "Tháng 03/2026" in page.locator("h1").inner_text()
    seal_card = page.locator("section", has_text="Niêm phong lịch sử hồ sơ").inner_text()
    assert "30/03/2026" in seal_card
    check_page(nga, "periodic", outside)


def walk_indicators(nga: Watched, outside: Outside, codes: Codes) -> None:
    page = nga.page
    follow(nga, "Chỉ số 766")
    row = page.locator("tr#on_time")
    # Open dossiers count at the end of the period: A and C on time of A, B, C and D.
    assert figures(page, "tr#on_time td.num")[:3] == ["2", "4", "50%"]
    assert page.locator("tr", has_text="Tỷ lệ hồ sơ thanh toán trực tuyến").locator(
        ".no-data").count() >= 1
    check_page(nga, "indicators", outside)
    with page.expect_navigation():
        row.locator("a", has_text="Xem hồ sơ").click()
    assert page.locator("h1").inner_text() == "Tỷ lệ hồ sơ giải quyết đúng hạn"
    listed = page.locator("table tbody tr td:first-child").all_inner_texts()
    assert sorted(listed) == sorted([codes.on_time, codes.supplement])
    check_page(nga, "indicator-dossiers", outside)


def walk_conformance(nga: Watched, outside: Outside) -> None:
    page = nga.page
    follow(nga, "Đối chiếu quy trình")
    rows = page.locator("table.conformance tbody tr")
    assert rows.count() == 2  # the sample's two procedures in force (one abolished)
    assert "Chưa có quy trình" in rows.filter(has_text="1.001193").inner_text()
    check_page(nga, "conformance", outside)
    with page.expect_navigation():
        rows.filter(has_text=PROCEDURE).locator("a", has_text=PROCEDURE).click()
    assert page.locator("h1").inner_text().startswith(PROCEDURE)
    # The sample's tasks carry no decision row: each is matched by its order, as a warning.
    warnings = page.locator("section.findings.warning tbody tr")
    assert warnings.count() == 7
    assert "Đối chiếu theo thứ tự" in warnings.first.inner_text()
    assert "10 ngày làm việc" in page.locator("dl.facts").inner_text()
    check_page(nga, "conformance-procedure", outside)


def walk_execution(nga: Watched, outside: Outside, codes: Codes) -> None:
    page = nga.page
    follow(nga, "Giải quyết hồ sơ")
    agency = page.locator("table.execution-table tbody tr", has_text="Sở Tư pháp")
    cells = agency.locator("td").all_inner_texts()
    # 4 dossiers, 2 with findings (B late, D late, both without an apology), one late step.
    assert cells[:3] == ["4", "2", "1"], cells
    check_page(nga, "execution", outside)
    with page.expect_navigation():
        agency.locator("th a").click()
    assert codes.late in page.locator("main").inner_text()
    with page.expect_navigation():
        page.locator("a", has_text=codes.late).first.click()
    assert path_of(nga) == f"/audit/dossiers/{codes.late}"
    own = page.locator("ul.findings").inner_text()
    assert "Hồ sơ quá hạn" in own and "Quá hạn không xin lỗi" in own, own
    # The late examination is marked beside its event in the history.
    examined = page.locator("tr", has_text="Hoàn thành bước: Thẩm định hồ sơ")
    assert "Quá hạn" in examined.inner_text()
    assert 'Bước "Thẩm định hồ sơ"' in page.locator("main").inner_text()
    assert page.locator(".chain-intact").is_visible()
    check_page(nga, "execution-dossier", outside)


def walk_integrity(nga: Watched, outside: Outside) -> None:
    page = nga.page
    follow(nga, "Toàn vẹn")
    heads = page.locator("table.integrity-heads tbody tr")
    assert heads.count() == 1 and "30/03/2026" in heads.inner_text()
    check_page(nga, "integrity", outside)
    click_and_wait(nga.officer, CHECK_BUTTON)
    assert path_of(nga) == VERIFY
    result = page.locator(".integrity-result .flash.success")
    assert result.inner_text().startswith("Toàn vẹn: 4 hồ sơ"), result.inner_text()
    check_page(nga, "integrity-verified", outside)


def walk_access_log(nga: Watched, outside: Outside, codes: Codes) -> None:
    page = nga.page
    follow(nga, "Nhật ký truy cập")
    rows = page.locator("table tbody tr")
    assert rows.count() > 10
    # The dossier's execution page just read is there (the latest read of it first), with
    # the dossier named.
    read = rows.filter(has_text=f"GET /audit/dossiers/{codes.late}").first
    assert "Ngô Thị Nga" in read.inner_text()
    assert read.locator("td").nth(3).inner_text() == codes.late
    assert rows.filter(has_text="GET /audit/integrity").count() >= 1
    check_page(nga, "access-log", outside)


def walk_settings(nga: Watched, outside: Outside) -> None:
    page = nga.page
    follow(nga, "Cài đặt")
    days = page.locator("#process_update_days")
    assert days.input_value() == "5"
    assert "Đang dùng giá trị mặc định" in page.locator("fieldset").first.inner_text()
    days.fill("3")
    click_and_wait(nga.officer, "form.settings-form button[type=submit]")
    assert path_of(nga) == "/audit/settings"
    assert page.locator(".flash.success").inner_text().startswith("Đã lưu: thời hạn cập nhật")
    assert page.locator("#process_update_days").input_value() == "3"
    assert "Sửa lần cuối: Ngô Thị Nga" in page.locator("fieldset").first.inner_text()
    check_page(nga, "settings", outside)
    # Loaded afresh, the page still shows the saved value.
    nga.officer.go("/audit/settings")
    assert page.locator("#process_update_days").input_value() == "3"


def search_without_accents(nga: Watched, outside: Outside, codes: Codes) -> None:
    page = nga.page
    click_and_wait(nga.officer, "header nav >> text=Hồ sơ")
    page.fill("#q", ON_TIME_TYPED)
    click_and_wait(nga.officer, "form.dossier-search button[type=submit]")
    rows = page.locator("table.dossiers tbody tr")
    assert rows.count() == 1, page.locator("main").inner_text()
    assert ON_TIME_NAME in rows.inner_text() and codes.on_time in rows.inner_text()
    check_page(nga, "dossiers", outside)


def test_the_auditor_follows_every_section_at_the_desk(
        actors: Actors, outside: Outside, codes: Codes) -> None:
    nga = watched(actors, outside, AUDITOR)
    nga.officer.go("/dossiers")  # the home page lists no audit link: the header's does
    click_and_wait(nga.officer, "header nav >> text=Kiểm soát TTHC")
    assert nga.page.locator("h1").inner_text() == "Kiểm soát thủ tục hành chính"
    check_page(nga, "home", outside)
    walk_reports(nga, outside, codes)
    walk_indicators(nga, outside, codes)
    walk_conformance(nga, outside)
    walk_execution(nga, outside, codes)
    walk_integrity(nga, outside)
    walk_access_log(nga, outside, codes)
    walk_settings(nga, outside)
    search_without_accents(nga, outside, codes)
    # The walk went through every page the phone test opens, and only those.
    assert nga.visited == [path.split("?")[0] for _, path in auditor_pages(codes)]


# ------------------------------------------------------------------ the auditor on a phone

def test_every_auditor_page_fits_a_phone(
        actors: Actors, outside: Outside, codes: Codes) -> None:
    nga = watched(actors, outside, AUDITOR, phone=True)
    for name, path in auditor_pages(codes):
        if path == VERIFY:
            click_and_wait(nga.officer, CHECK_BUTTON)
        else:
            nga.officer.go(path)
        assert nga.page.locator("h1").count() == 1, name
        check_page(nga, f"phone-{name}", outside)
    # The sub-navigation wraps within the screen: every link can be reached.
    for link in nga.page.locator("nav.subnav a").all():
        box = link.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH, box


# ------------------------------------------------------------------ a leader

def test_a_leader_reads_their_agency_and_not_the_audit(
        actors: Actors, outside: Outside, codes: Codes) -> None:
    son = watched(actors, outside, LEADER)
    page = son.page
    click_and_wait(son.officer, "header nav >> text=Thống kê")
    assert page.locator("h1").inner_text() == "Thống kê, đánh giá của cơ quan"
    links = page.locator("nav.subnav a").all_inner_texts()
    assert "Đối chiếu quy trình" not in links and "Toàn vẹn" not in links, links
    check_page(son, "home", outside)
    follow(son, "Bảng điều hành")
    assert page.locator("h1").inner_text() == "Bảng điều hành — Sở Tư pháp"
    assert figures(page, ".cards .count strong")[:3] == ["4", "1", "1"]
    check_page(son, "dashboard", outside)
    follow(son, "Chỉ số 766")
    assert "Sở Tư pháp" in page.locator("#agency option:checked").inner_text()
    assert page.locator("#agency option[value='']").count() == 0  # no "Toàn tỉnh"
    assert figures(page, "tr#on_time td.num")[:3] == ["2", "4", "50%"]
    check_page(son, "indicators", outside)
    # Refused (the browser logs the 403 in its console: the page is not check_page'd).
    refused = son.officer.go("/audit/conformance")
    assert refused.status == 403
    assert "Chỉ cán bộ kiểm soát thủ tục hành chính" in page.locator("h1").inner_text()
    son.officer.shot("conformance-refused")
    assert outside.requests == []


# ------------------------------------------------------------------ without JavaScript

def test_the_statistics_work_without_javascript(
        actors: Actors, outside: Outside, codes: Codes) -> None:
    nga = watched(actors, outside, AUDITOR, javascript=False)
    page = nga.page
    nga.officer.go("/audit/statistics")
    page.fill("#procedure", PROCEDURE)
    page.select_option("#group", "month")
    page.fill("#from", "2026-02-01")
    page.fill("#to", "2026-03-31")
    click_and_wait(nga.officer, "form.filters button[type=submit]")
    assert "group=month" in page.url and f"procedure={PROCEDURE}" in page.url
    months = page.locator("table.stats tbody tr th").all_inner_texts()
    assert months == ["02/2026", "03/2026"], months
    heading = page.locator("main h2").first.inner_text()
    assert "01/02/2026" in heading and PROCEDURE in heading
    check_page(nga, "nojs-statistics", outside)
    # The dashboard's charts are images drawn by the server, each with its data table.
    nga.officer.go("/audit/dashboard")
    trend = page.locator("figure.chart-figure", has_text="Hồ sơ theo tháng")
    assert trend.locator("svg").count() == 1
    assert " ".join(trend.locator("tbody tr").last.inner_text().split()) == "03/2026 4 3 2"
    check_page(nga, "nojs-dashboard", outside)
