"""The designer in headless Chromium: from the process library, generate a draft from the
decision, open it in the modeler, clear and set a lane's role, add a step with a form and a
time, see each problem on its element until it is fixed, publish, and receive a dossier on
the new version at the desk. No request may leave the server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    DESK,
    PHONE,
    Actors,
    LiveServer,
    Officer,
)
from designer_support import (
    Outside,
    drop_from_palette,
    element_with,
    export_and_open_again,
    generate_from_library,
    lane_of,
    modeler_call,
    palette_fits,
    problems_on,
    publish,
    receive_on_the_new_version,
    saved,
    screen_point,
    select,
    set_property,
    shape_point,
    sign_in,
    store_draft,
    touch_drag,
    type_slowly,
    undo_redo,
    xml_of,
)
from lxml import etree

from motcua.db import db
from motcua.design.models import ProcessDraft
from motcua.processes.checks.document import BPMN_NS
from support.api import PROCEDURE
from support.paths import SAMPLES

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NEW_STEP = "Kiểm tra kết quả trước khi trả"


# ------------------------------------------------------------------ the journey

def lane_role_problem_and_fix(designer: Officer) -> int:
    page = designer.page
    step = element_with(page, "row", "6")
    lane = lane_of(page, step)
    select(page, lane)
    role = page.locator("#bio-properties-panel-motcua-role").input_value()
    assert role
    set_property(page, "role", "")
    revision = saved(page, 1)
    page.wait_for_selector(f"#problems-list li.error button[data-element-id='{step}']")
    assert problems_on(page, step) >= 1
    designer.shot("lane-without-role")
    # A click on the problem selects the step and focuses the field that fixes it.
    page.click(f"#problems-list li.error button[data-element-id='{step}']")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === "
        "'bio-properties-panel-motcua-role'")
    select(page, lane)
    set_property(page, "role", role)
    revision = saved(page, revision)
    assert problems_on(page, step) == 0
    undo_redo(page, revision)
    return saved(page, revision)


def add_step(designer: Officer, revision: int) -> tuple[str, int]:
    """A user task dropped on the flow into the last step, named, with a form and a time
    written wrongly first."""
    page = designer.page
    last, before = element_with(page, "row", "7"), element_with(page, "row", "6")
    flow = modeler_call(page, """
        return m.get('elementRegistry').get(arg[0]).outgoing
          .find((f) => f.target.id === arg[1]).id;""", [before, last])
    drop_from_palette(page, "create.user-task", screen_point(page, flow))
    new = modeler_call(page, "const s = m.get('selection').get(); return s.length === 1 "
                             "&& s[0].type === 'bpmn:UserTask' ? s[0].id : null;")
    assert new, "the new step is not selected"
    page.keyboard.type(NEW_STEP)
    page.click(".bio-properties-panel-header")  # ends the label editing
    connected = modeler_call(page, """
        const e = m.get('elementRegistry').get(arg);
        return [e.incoming.map((f) => f.source.id), e.outgoing.map((f) => f.target.id)];""",
                             new)
    assert connected == [[before], [last]], connected
    select(page, new)
    assert "vai trò" in page.locator(".motcua-inherited").inner_text()
    form = modeler_call(page, "return m.get('elementRegistry').get(arg).businessObject"
                              ".extensionElements.values[0].properties"
                              ".find((p) => p.name === 'form').value;", before)
    set_property(page, "form", form)
    revision = saved(page, revision)
    set_property(page, "allotted", "bốn giờ")
    revision = saved(page, revision)
    page.wait_for_selector(f"#problems-list li.error button[data-element-id='{new}']")
    assert problems_on(page, new) >= 1
    designer.shot("step-with-wrong-time")
    # The problem quotes the value written: its click focuses the time field.
    page.click(f"#problems-list li.error button[data-element-id='{new}']")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === "
        "'bio-properties-panel-motcua-allotted'")
    # Written as the decision writes times, it is stored in the dialect's form.
    set_property(page, "allotted", "4 giờ")
    revision = saved(page, revision)
    assert page.locator("#bio-properties-panel-motcua-allotted").input_value() == "4h"
    assert "= 0,5 ngày làm việc (4 giờ)" in page.locator(
        "[data-entry-id='motcua-allotted']").inner_text()
    return new, revision


def keep_within_the_time_limit(designer: Officer, new: str, revision: int) -> int:
    """The time is read now, but the added 4 hours take the longest path past the 10-day
    limit: an error on the step where the sum goes over, gone once the examination gives
    them back."""
    page = designer.page
    listed = page.locator(f"#problems-list li.error button[data-element-id='{new}']")
    assert listed.count() == 1 and "bốn giờ" not in listed.inner_text()
    assert "10,5 ngày" in listed.inner_text()
    designer.shot("over-the-time-limit")
    select(page, element_with(page, "row", "3"))
    set_property(page, "allotted", "6.5d")
    revision = saved(page, revision)
    assert page.locator("#problems-list li.error").count() == 0
    return revision


def test_from_the_library_to_a_dossier_on_the_published_version(
        actors: Actors, outside: Outside) -> None:
    designer = sign_in(actors, outside, "qt.binh")
    errors: list[str] = []
    designer.page.on("pageerror", lambda error: errors.append(str(error)))
    generate_from_library(designer, PROCEDURE)
    revision = lane_role_problem_and_fix(designer)
    new, revision = add_step(designer, revision)
    keep_within_the_time_limit(designer, new, revision)
    publish(designer, 2)
    receive_on_the_new_version(sign_in(actors, outside, "mc.lan"), PROCEDURE)
    assert errors == []
    assert outside.requests == []


def test_a_stale_revision_is_a_conflict_never_an_overwrite(
        actors: Actors, outside: Outside) -> None:
    first = sign_in(actors, outside, "qt.binh")
    generate_from_library(first, PROCEDURE)
    url = first.page.url
    second = sign_in(actors, outside, "qt.binh")
    second.go(url.removeprefix(second.base))
    second.page.wait_for_selector("body[data-modeler-ready=true]")
    select(second.page, element_with(second.page, "row", "3"))
    set_property(second.page, "allotted", "6d")
    saved(second.page, 1)
    select(first.page, element_with(first.page, "row", "3"))
    set_property(first.page, "allotted", "5d")
    first.page.wait_for_selector(".notice.error")
    notice = first.page.locator("#modeler-notice").inner_text()
    assert "người khác lưu (bản 2)" in notice and "không ghi đè" in notice
    first.shot("conflict")
    # The work is kept in the browser and offered again after a reload.
    first.page.once("dialog", lambda dialog: dialog.accept())
    first.page.reload()
    first.page.wait_for_selector("body[data-modeler-ready=true]")
    offer = first.page.locator("#modeler-notice")
    assert "Khôi phục" in offer.inner_text() and "bản 2 mới hơn" in offer.inner_text()
    # Restoring it is a knowing choice: it is saved on top of the other designer's revision.
    offer.locator("button", has_text="Khôi phục").click()
    saved(first.page, 2)
    assert 'name="allotted" value="5d"' in xml_of(first.page)
    assert outside.requests == []


PALETTE = {"hand-tool", "lasso-tool", "space-tool", "global-connect-tool", "create.start-event",
           "create.end-event", "create.exclusive-gateway", "create.parallel-gateway",
           "create.user-task", "create.timer-event", "create.participant-expanded"}


def test_the_panel_and_the_tools_write_the_dialect(actors: Actors, outside: Outside,
                                                  tmp_path: Any) -> None:
    designer = sign_in(actors, outside, "qt.binh")
    generate_from_library(designer, PROCEDURE)
    page = designer.page
    # Only what the platform executes, titled in Vietnamese.
    actions = set(page.eval_on_selector_all(".djs-palette .entry",
                                            "es => es.map((e) => e.dataset.action)"))
    assert actions == PALETTE
    user_task = ".djs-palette [data-action='create.user-task']"
    assert page.get_attribute(user_task, "aria-label") == "Thêm bước xử lý (cán bộ)"
    review = element_with(page, "row", "4")
    modeler_call(page, "m.get('selection').select(m.get('elementRegistry').get(arg));", review)
    page.click(".djs-context-pad [data-action='replace']")
    offered = set(page.eval_on_selector_all(".djs-popup [data-id]",
                                            "es => es.map((e) => e.dataset.id)"))
    assert "replace-with-manual-task" in offered and "replace-with-service-task" not in offered
    assert offered <= {"replace-with-user-task", "replace-with-manual-task"}
    page.keyboard.press("Escape")

    # An outcome row: added, labelled, given a meaning, then removed again.
    select(page, review)
    group = page.locator("[data-group-id='group-motcua-outcomes']")
    rows = group.locator(".bio-properties-panel-collapsible-entry").count()
    revision = 1
    group.locator(".bio-properties-panel-add-entry").click()
    revision = saved(page, revision)
    added = group.locator(".bio-properties-panel-collapsible-entry").nth(rows)
    if not page.locator(f"#bio-properties-panel-motcua-outcome-{rows}-label").is_visible():
        added.locator(".bio-properties-panel-collapsible-entry-header").click()
    designer.shot("outcome-added")
    # Typed slowly, with pauses longer than the autosave's: no space is lost on the way.
    type_slowly(page, f"outcome-{rows}-label", ("Xin ", "ý kiến ", "phòng khác"))
    set_property(page, f"outcome-{rows}-meaning", "back")
    revision = saved(page, revision)
    written = xml_of(page)
    # The new row's key follows its label, so conditions and messages name it in words.
    assert "xin_y_kien_phong_khac:back=Xin ý kiến phòng khác" in written
    # Its gateway does not route the new outcome: the server says so on the gateway.
    gateway = modeler_call(page, "return m.get('elementRegistry').get(arg).outgoing[0]"
                                 ".target.id;", review)
    listed = page.locator(f"#problems-list li.error button[data-element-id='{gateway}']")
    listed.wait_for()
    # The unnamed gateway is listed by where it is; its panel names the outcome no flow takes
    # yet, and a click on one of its branches selects that flow.
    step = modeler_call(page, "return m.get('elementRegistry').get(arg).businessObject.name;",
                        review)
    assert listed.locator("strong").inner_text() == f'Lỗi — Cổng sau "{step}"'
    listed.click()
    branches = page.locator("[data-entry-id='motcua-branches']")
    branches.wait_for()
    assert 'Chưa có luồng cho kết quả: "Xin ý kiến phòng khác"' in branches.inner_text()
    designer.shot("gateway-branches")
    branch = branches.locator("button.motcua-link").first
    flow_id = branch.get_attribute("data-flow-id")
    branch.click()
    assert modeler_call(page, "return m.get('selection').get().map((e) => e.id);") == [flow_id]
    select(page, review)
    added.hover()  # the stock panel shows a row's delete button on hover
    added.locator(".bio-properties-panel-remove-entry").click()
    revision = saved(page, revision)
    assert page.locator("#problems-list li.error").count() == 0

    # A gateway's flow: its condition chosen from the step's outcomes, never typed.
    flow = modeler_call(page, "return m.get('elementRegistry').get(arg).outgoing[0].id;",
                        gateway)
    select(page, flow)
    choice = page.locator("#bio-properties-panel-motcua-condition")
    labels = choice.locator("option").all_inner_texts()
    # The outcome's label first: a closed list shows only the start of the chosen text.
    assert any(label.startswith("khi kết quả là") for label in labels)
    assert choice.evaluate("s => s.options[s.selectedIndex].text").startswith("khi kết quả là")
    assert f'Theo kết quả của bước "{step}"' in page.locator(
        "[data-entry-id='motcua-condition']").inner_text()
    before = xml_of(page)
    other = choice.evaluate(
        "s => [...s.options].find((o) => o.value && o.value !== s.value).value")
    choice.select_option(other)
    revision = saved(page, revision)
    key = other.split("|")[1]
    assert f'outcome == "{key}"' in xml_of(page)
    page.wait_for_selector("#problems-list li.error")
    # Ctrl+Z on the diagram undoes it.
    page.click("#modeler-canvas", position={"x": 600, "y": 20})
    page.keyboard.press("Control+z")
    revision = saved(page, revision)
    assert xml_of(page) == before
    assert page.locator("#problems-list li.error").count() == 0

    # A timer dropped on a step's border waits for the step's deadline, picked from a list.
    examine = element_with(page, "row", "3")
    drop_from_palette(page, "create.timer-event", shape_point(page, examine, 0.5, 1.0))
    timer = modeler_call(page, "const s = m.get('selection').get()[0]; return s && "
                               "s.type === 'bpmn:BoundaryEvent' ? s.id : null;")
    assert timer, "the timer is not on the step's border"
    revision = saved(page, revision)
    # Unnamed, it is listed by the step it waits on; its field says what firing does.
    where = page.locator(f"#problems-list li.error button[data-element-id='{timer}'] strong")
    assert where.first.inner_text().startswith('Lỗi — Hẹn giờ trên bước "')
    assert "bước đang làm bị hủy" in page.locator("[data-entry-id='motcua-timer']").inner_text()
    set_property(page, "timer", "due_step")
    revision = saved(page, revision)
    assert re.search(r"<bpmn:timeDate[^>]*>due_step</bpmn:timeDate>", xml_of(page))
    designer.shot("timer")
    page.click("#tool-undo")
    revision = saved(page, revision)
    page.click("#tool-undo")
    revision = saved(page, revision)
    assert xml_of(page) == before

    export_and_open_again(page, PROCEDURE, tmp_path, revision)
    assert outside.requests == []


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_the_modeler_fits_the_screen(actors: Actors, outside: Outside, server: LiveServer,
                                     size: str) -> None:
    designer = sign_in(actors, outside, "qt.binh", phone=size == "phone")
    generate_from_library(designer, PROCEDURE)
    page = designer.page
    width = DESK["width"] if size == "desk" else PHONE["viewport"]["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The way back to the library is never cut off by the header's ellipsis.
    back, line = (page.locator(s).bounding_box() for s in ("a.back", ".modeler-head small"))
    assert back and line and back["x"] + back["width"] <= line["x"] + line["width"] + 1
    for selector in ("#modeler-canvas", "#modeler-panel", "#publish-button", "#tool-undo"):
        box = page.locator(selector).bounding_box()
        assert box and box["width"] > 0 and box["x"] + box["width"] <= width + 1, selector
    # Steps are drawn large enough to read and touch: on a phone the diagram's height fills
    # the canvas rather than its whole width shrinking into view.
    step = page.locator(f"g.djs-element[data-element-id='{element_with(page, 'row', '1')}']"
                        " > .djs-visual > rect").bounding_box()
    assert step and step["height"] >= 30, step
    if size == "phone":
        # A finger moves the diagram (diagram-js pans with a mouse only), two fingers zoom it.
        viewbox = "const v = m.get('canvas').viewbox(); return [v.x, v.y, v.scale];"
        x, y, scale = modeler_call(page, viewbox)
        touch_drag(page, "#modeler-canvas", -120, -60)
        moved_x, moved_y, same = modeler_call(page, viewbox)
        assert same == pytest.approx(scale)
        assert moved_x - x == pytest.approx(120 / scale, rel=0.1)
        assert moved_y - y == pytest.approx(60 / scale, rel=0.1)
        touch_drag(page, "#modeler-canvas", 0, 0, fingers=2, spread=80)
        assert modeler_call(page, viewbox)[2] == pytest.approx(scale * 3, rel=0.1)
        modeler_call(page, "m.get('canvas').zoom(arg);", scale)
    # Problems shrink the canvas: the palette folds so that every tool stays in reach, and a
    # problem's click works at this size too (on a phone the panel once covered the list).
    modeler_call(page, "const e = m.get('elementRegistry').get(arg);"
                       "m.get('modeling').removeElements(e.incoming.slice());",
                 element_with(page, "row", "7"))
    saved(page, 1)
    assert palette_fits(page)
    button = page.locator("#problems-list li.error button[data-element-id]").first
    target = button.get_attribute("data-element-id")
    button.click(timeout=5_000)
    assert modeler_call(page, "return m.get('selection').get().map((e) => e.id);") == [target]
    designer.shot(f"problem-clicked-{size}")
    select(page, element_with(page, "row", "3"))
    designer.shot(f"modeler-{size}")
    assert outside.requests == []


def test_a_finding_on_the_whole_process_leads_to_the_decisions_rows(
        actors: Actors, outside: Outside) -> None:
    designer = sign_in(actors, outside, "qt.binh")
    generate_from_library(designer, PROCEDURE)
    page = designer.page
    # "Kiểm tra" on a clean draft says it checked, rather than seeming to do nothing.
    page.click("#tool-check")
    page.wait_for_function("() => document.querySelector('#problems-summary')"
                           ".textContent.includes('vừa kiểm tra lúc')")
    select(page, modeler_call(page, "return m.get('elementRegistry')"
                                    ".filter((e) => e.type === 'bpmn:EndEvent')[0].id;"))
    assert "Mẫu 03" in page.locator("[data-entry-id='motcua-end']").inner_text()
    step = element_with(page, "row", "2")
    select(page, step)
    # Tied to row 3 as well, the step leaves row 2 with no step. (With no row at all it
    # would be matched to row 2 by its order on the main route.)
    set_property(page, "row", "3")
    saved(page, 1)
    # The decision's row no step carries out is found on the process, not drawn in a
    # collaboration: its click selects the pool, whose panel lists the rows.
    page.locator("#problems-list li.warning button", has_text="Toàn quy trình").click()
    rows = page.locator("[data-entry-id='motcua-rows']")
    rows.wait_for()
    assert modeler_call(page, "return m.get('selection').get()[0].type;") == "bpmn:Participant"
    assert "chưa có bước nào" in rows.locator("li").nth(1).inner_text()
    designer.shot("decision-rows")
    link = rows.locator("button.motcua-link").first
    task = link.get_attribute("data-task-id")
    link.click()
    assert modeler_call(page, "return m.get('selection').get().map((e) => e.id);") == [task]
    assert outside.requests == []


# A process another tool wrote without its drawing (no BPMN DI): the server reads and checks
# it; bpmn-js has nothing to draw.
UNDRAWN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Defs"
    targetNamespace="http://example.org/undrawn">
  <process id="Undrawn" isExecutable="true">
    <startEvent id="Begin"/>
    <sequenceFlow id="F1" sourceRef="Begin" targetRef="Review"/>
    <userTask id="Review" name="Xem hồ sơ"/>
    <sequenceFlow id="F2" sourceRef="Review" targetRef="Done"/>
    <endEvent id="Done"/>
  </process>
</definitions>
""".encode()


def test_a_file_without_a_drawing_still_lists_its_problems(
        actors: Actors, outside: Outside, server: LiveServer) -> None:
    draft_id, revision, _ = store_draft(server, UNDRAWN, "undrawn.bpmn", "qt.binh", PROCEDURE)
    designer = sign_in(actors, outside, "qt.binh")
    page = designer.page
    designer.go(f"/design/drafts/{draft_id}")
    page.wait_for_selector("body[data-modeler-ready=no-diagram]")
    assert "không có hình vẽ sơ đồ" in page.locator("#modeler-notice").inner_text()
    listed = page.locator("#problems-list li button[data-element-id='Review']")
    assert listed.count() >= 1
    assert "Review (không có trên sơ đồ)" in listed.first.inner_text()
    # Nothing on the page can save an empty diagram over the file.
    assert page.locator("#tool-export-bpmn").is_disabled()
    assert page.locator("#publish-button").is_disabled()
    designer.shot("modeler-undrawn")
    with server.app.app_context():
        stored = db.session.get(ProcessDraft, draft_id)
        assert stored is not None and stored.revision == revision
    assert outside.requests == []


def test_parts_the_modeler_cannot_read_are_kept_until_the_designer_agrees(
        actors: Actors, outside: Outside, server: LiveServer, tmp_path: Path) -> None:
    """bpmn-js drops what it cannot read from the next save: the page says which parts,
    saves nothing until the designer agrees, and offers the file as the server holds it."""
    tree = etree.fromstring((SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn").read_bytes())
    process = tree.find(f"{{{BPMN_NS}}}process")
    assert process is not None
    etree.SubElement(process, f"{{{BPMN_NS}}}oddThing", id="Odd_1")
    draft_id, revision, _ = store_draft(server, etree.tostring(tree), "odd.bpmn", "qt.binh",
                                        PROCEDURE)
    designer = sign_in(actors, outside, "qt.binh")
    page = designer.page
    designer.go(f"/design/drafts/{draft_id}")
    page.wait_for_selector("body[data-modeler-ready=true]")
    notice = page.locator("#modeler-notice")
    assert "không đọc được" in notice.inner_text() and "oddThing" in notice.inner_text()
    modeler_call(page, """const task = m.get('elementRegistry').filter(
        (e) => e.type === 'bpmn:UserTask')[0];
        m.get('modeling').updateProperties(task, { name: 'Bước đã đổi tên' });""")
    page.wait_for_selector("#save-status[data-state=held]")
    page.wait_for_timeout(1500)  # past the autosave's delay: still nothing saved
    with server.app.app_context():
        stored = db.session.get(ProcessDraft, draft_id)
        assert stored is not None and stored.revision == revision
        assert "oddThing" in stored.bpmn_xml
    with page.expect_download() as download:
        notice.get_by_role("button", name="Tải tệp gốc (.bpmn)").click()
    assert download.value.suggested_filename.endswith("-goc.bpmn")
    designer.shot("modeler-unread-parts")
    notice.get_by_role("button", name="Đồng ý, sửa và lưu không có các phần đó").click()
    revision = saved(page, revision)
    with server.app.app_context():
        stored = db.session.get(ProcessDraft, draft_id)
        assert stored is not None and "Bước đã đổi tên" in stored.bpmn_xml
    # Such a file opened from disk holds the autosave again; a file read whole releases it.
    odd = tmp_path / "odd.bpmn"
    odd.write_bytes(etree.tostring(tree))
    page.set_input_files("#tool-import-file", str(odd))
    page.wait_for_selector("#save-status[data-state=held]")
    assert "oddThing" in notice.inner_text()
    page.set_input_files("#tool-import-file", str(SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn"))
    saved(page, revision)
    assert notice.is_hidden()
    assert outside.requests == []
