"""A test run in headless Chromium: generate a draft from the decision, press "Chạy thử", see
the table of steps (who, where, due when) and the path on the diagram (markers on the steps
and flows taken, numbered badges); pick another outcome and see the run change; close and see
the diagram clean again; a draft with an error shows the error instead of running. On a
phone too. No request may leave the server."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import Actors, Officer
from designer_support import (
    Outside,
    element_with,
    generate_from_library,
    lane_of,
    modeler_call,
    saved,
    select,
    set_property,
    sign_in,
)

from support.api import PROCEDURE

pytestmark = [pytest.mark.browser, pytest.mark.slow]

VISITED = "g.djs-element.motcua-sim-visited"


def run(page: Any) -> None:
    page.wait_for_selector("body[data-simulation=done], body[data-simulation=refused]")


def test_a_test_run_draws_its_path_and_follows_the_outcomes_picked(
        actors: Actors, outside: Outside) -> None:
    designer = sign_in(actors, outside, "qt.binh")
    page = designer.page
    generate_from_library(designer, PROCEDURE)
    page.click("#tool-simulate")
    run(page)
    rows = page.locator(".sim-table tbody tr")
    steps = [element_with(page, "row", str(n)) for n in range(1, 8)]
    assert rows.count() == len(steps)
    # Each step on the path is marked on the diagram, with its number in visit order.
    for n, step in enumerate(steps, start=1):
        assert page.locator(f"{VISITED}[data-element-id='{step}']").count() == 1
        badge = page.locator(f".djs-overlays[data-container-id='{step}'] "
                             ".djs-overlay-motcua-sim .motcua-sim-badge")
        assert badge.inner_text() == str(n)
    assert page.locator("g.djs-connection.motcua-sim-visited").count() >= len(steps)
    first = rows.nth(0).locator("td")
    # Reception: the desk, 4 working hours from Monday 09:00 is 14:00 (the lunch break).
    assert first.nth(2).inner_text().startswith("Bộ phận Một cửa")
    # Who would receive it: the desk's receivers by name (mc.lan among them, in the sample).
    assert "Trần Thị Lan" in first.nth(2).locator(".sim-receivers").inner_text()
    assert rows.locator(".sim-receivers, .sim-nobody").count() == len(steps)
    assert first.nth(3).inner_text() == "Trung tâm Phục vụ hành chính công tỉnh"
    assert first.nth(5).inner_text() == "16/03/2026 14:00"
    assert page.locator(".sim-end").inner_text().startswith("Hồ sơ kết thúc: Trả kết quả")
    assert not page.locator("#modeler-panel").is_visible()
    assert page.locator("#tool-simulate").get_attribute("aria-pressed") == "true"
    designer.shot("test-run")

    # A change to the diagram while the panel is open is saved, then run again.
    modeler_call(page, "m.get('modeling').updateLabel(m.get('elementRegistry').get(arg), "
                       "'Phân công chuyên viên thụ lý');", steps[1])
    page.wait_for_function("() => document.body.dataset.simulation === 'done' && [...document"
                           ".querySelectorAll('.sim-step')].some((b) => b.textContent === "
                           "'Phân công chuyên viên thụ lý')", timeout=15_000)
    revision = saved(page, 1)

    # Refusing at reception ends the run there.
    page.select_option(f"select[data-element='{steps[0]}']", "refuse")
    page.wait_for_function("() => document.querySelectorAll('.sim-table tbody tr').length === 1"
                           " && document.body.dataset.simulation === 'done'")
    assert "Từ chối" in page.locator(".sim-end").inner_text()
    assert page.locator(f"{VISITED}[data-element-id='{steps[1]}']").count() == 0
    designer.shot("test-run-refused")
    page.click(".sim-reset")
    page.wait_for_function("() => document.querySelectorAll('.sim-table tbody tr').length === 7"
                           " && document.body.dataset.simulation === 'done'")

    # Closing clears the diagram and brings the properties back.
    page.click(".sim-close")
    assert page.locator(".motcua-sim-visited").count() == 0
    assert page.locator(".motcua-sim-badge").count() == 0
    assert page.locator("#modeler-panel").is_visible()
    assert page.locator("#tool-simulate").get_attribute("aria-pressed") == "false"

    # A draft with an error is not run: the panel lists the error.
    lane = lane_of(page, steps[5])
    select(page, lane)
    set_property(page, "role", "")
    saved(page, revision)
    page.click("#tool-simulate")
    run(page)
    assert page.locator("body[data-simulation=refused]").count() == 1
    assert "lỗi" in page.locator(".sim-refused").inner_text()
    assert page.locator(".sim-errors li").count() >= 1
    assert page.locator(".motcua-sim-visited").count() == 0
    designer.shot("test-run-refused-draft")
    # From the error to the step: the panel gives way to the properties, the step selected.
    page.click(".sim-errors .sim-go")
    assert not page.locator("#simulate-panel").is_visible()
    assert page.locator("#modeler-panel").is_visible()
    selected = page.evaluate("window.motcuaModeler.get('selection').get().map((e) => e.id)")
    assert selected == [steps[5]]
    assert outside.requests == []


def test_a_test_run_on_a_phone(actors: Actors, outside: Outside) -> None:
    designer: Officer = sign_in(actors, outside, "qt.binh", phone=True)
    page = designer.page
    generate_from_library(designer, PROCEDURE)
    page.click("#tool-simulate")
    run(page)
    assert page.locator(".sim-table tbody tr").count() == 7
    assert page.locator(VISITED).count() >= 7
    # The panel sits under the diagram, within the screen's width.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, width
    page.locator("#simulate-panel").scroll_into_view_if_needed()
    designer.shot("test-run-phone")
    assert outside.requests == []


def test_a_test_run_without_an_answer_says_so_and_runs_again(actors: Actors,
                                                             outside: Outside) -> None:
    # The request failing outright (network, server down) left the panel "running" forever.
    designer = sign_in(actors, outside, "qt.binh")
    page = designer.page
    generate_from_library(designer, PROCEDURE)
    page.route("**/simulate", lambda route: route.abort())
    page.click("#tool-simulate")
    run(page)
    assert page.locator("body[data-simulation=refused]").count() == 1
    assert "Không kết nối được với máy chủ" in page.locator(".sim-refused").inner_text()
    page.unroute("**/simulate")
    page.click(".sim-reset")
    run(page)
    assert page.locator("body[data-simulation=done]").count() == 1
    assert page.locator(".sim-table tbody tr").count() == 7
    assert outside.requests == []


def test_a_pick_for_a_later_visit_stays_on_that_visit_when_the_path_changed(
        actors: Actors, outside: Outside) -> None:
    # A pick for a step's second visit, the step gone from the last run (an earlier step
    # refused the dossier): its first visit was an empty place, dropped, and the pick moved
    # to the first visit when the step came back.
    designer = sign_in(actors, outside, "qt.binh")
    page = designer.page
    generate_from_library(designer, PROCEDURE)
    page.click("#tool-simulate")
    run(page)
    sent = page.evaluate("""() => {
        const s = window.motcuaSimulator;
        const step = s.answer.path.find((p) => p.outcomes.length > 1);
        s.picks = {[step.element_id]: {1: step.outcomes[1].key}};
        s.answer = {...s.answer, path: []};
        return [step.element_id, step.outcomes.map((o) => o.key), s.choices()];
    }""")
    element, keys, choices = sent
    assert choices == {element: [keys[0], keys[1]]}
    assert outside.requests == []
