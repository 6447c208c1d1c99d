"""Files made by other modelers in the modeler, headless Chromium: each Camunda 7, Zeebe,
Signavio and Bizagi export and a few MIWG reference diagrams open as drafts; setting a
lane's role and a step's allotted time (our properties, written into the elements'
extensionElements) and letting the autosave run keeps every element and attribute of the
other tool, as the original file had them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from browser_support import Actors, LiveServer
from designer_support import (
    Outside,
    modeler_call,
    saved,
    select,
    set_property,
    sign_in,
    store_draft,
)
from lxml import etree

from motcua.db import db
from motcua.design.models import ProcessDraft
from support.api import PROCEDURE
from support.paths import REPO

sys.path.insert(0, str(REPO / "tests" / "design" / "miwg"))
from vendor_content import MIWG_FILES, VENDOR_FILES, vendor_content

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CONDITION = 'outcome == "accept"'
# Camunda 7 with Activiti attributes, Signavio, Trisotech with i18n and DMN, Zeebe, and the
# largest one (every kind of element, several pools).
MIWG = [p for p in MIWG_FILES if p.stem in ("A.4.1", "B.2.0", "C.1.0", "C.8.0", "C.9.0")]
FILES = VENDOR_FILES + MIWG


def stored_draft(server: LiveServer, path: Path) -> tuple[int, str]:
    """The file as a draft of the sample procedure, and the text the draft keeps."""
    draft_id, _, text = store_draft(server, path.read_bytes(), path.name, "qt.binh", PROCEDURE)
    return draft_id, text


def saved_xml(server: LiveServer, draft_id: int) -> str:
    with server.app.app_context():
        draft = db.session.get(ProcessDraft, draft_id)
        assert draft is not None
        return draft.bpmn_xml


def first_of(page: Any, types: list[str]) -> str | None:
    """The first element of these types that has a shape on the diagram."""
    found = modeler_call(page, """
        const hit = m.get('elementRegistry').filter((e) => arg.includes(e.type) && !e.labelTarget);
        return hit.length ? hit[0].id : null;""", types)
    return str(found) if found else None


def conditional_flow(page: Any) -> str | None:
    """A flow out of an exclusive gateway that has a condition (written for another engine)."""
    found = modeler_call(page, """
        const hit = m.get('elementRegistry').filter((e) => e.type === 'bpmn:SequenceFlow'
          && e.businessObject.conditionExpression
          && e.businessObject.sourceRef.$type === 'bpmn:ExclusiveGateway');
        return hit.length ? hit[0].id : null;""")
    return str(found) if found else None


def element_of(xml: str, element_id: str) -> Any:
    root = etree.fromstring(xml.encode("utf-8"))
    return next(el for el in root.iter(etree.Element) if el.get("id") == element_id)


def properties_of(xml: str, element_id: str) -> dict[str, str]:
    return {p.get("name") or "": p.get("value") or ""
            for p in element_of(xml, element_id).iter(f"{{{SPIFF}}}property")}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_editing_our_properties_keeps_the_other_tools_content(
        actors: Actors, server: LiveServer, path: Path) -> None:
    draft_id, original = stored_draft(server, path)
    expected = vendor_content(original)
    outside = Outside()
    designer = sign_in(actors, outside, "qt.binh")
    page = designer.page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    designer.go(f"/design/drafts/{draft_id}")
    page.wait_for_selector("body[data-modeler-ready=true]", timeout=30_000)
    assert page.locator("#problems-list li").count() >= 1
    designer.shot(path.stem)
    # Opened as it was: bpmn-js keeps another tool's content it has no descriptor for.
    assert vendor_content(str(page.evaluate(
        "window.motcuaModeler.saveXML().then((r) => r.xml)"))) == expected

    lane = first_of(page, ["bpmn:Lane"])
    task = first_of(page, ["bpmn:UserTask", "bpmn:ManualTask"])
    flow = conditional_flow(page)
    assert lane or task, "each file chosen here has a lane or a step to edit"
    revision = 1
    if lane:
        select(page, lane)
        set_property(page, "role", "receiver")
        revision = saved(page, revision)
    if task:
        select(page, task)
        set_property(page, "allotted", "4h")
        revision = saved(page, revision)
    if flow:
        select(page, flow)
        set_property(page, "condition-expression", CONDITION)
        revision = saved(page, revision)
    xml = saved_xml(server, draft_id)
    if lane:
        assert properties_of(xml, lane).get("role") == "receiver"
    if task:
        assert properties_of(xml, task).get("allotted") == "4h"
    if flow:
        condition = element_of(xml, flow).find(f"{{{BPMN}}}conditionExpression")
        assert condition is not None and condition.text == CONDITION
    assert vendor_content(xml) == expected
    designer.shot(f"{path.stem}-edited")
    assert errors == [] and outside.requests == []


def items_of(content: Any, owner: str) -> list[tuple[str, str]]:
    return sorted((what, text) for (who, what, text), n in content.items() for _ in range(n)
                  if who == owner)


def test_a_step_replaced_or_copied_keeps_the_other_tools_content(
        actors: Actors, server: LiveServer) -> None:
    """The server advises "change the element's type" for steps the engine cannot run: the
    replaced step, and a copy pasted beside it, carry what the other tool wrote on it."""
    path = next(p for p in VENDOR_FILES if p.stem == "camunda7")
    draft_id, original = stored_draft(server, path)
    expected = vendor_content(original)
    designer = sign_in(actors, Outside(), "qt.binh")
    page = designer.page
    designer.go(f"/design/drafts/{draft_id}")
    page.wait_for_selector("body[data-modeler-ready=true]", timeout=30_000)
    step, copied = "Task_ThamDinh", "Task_TiepNhan"
    assert items_of(expected, step) and items_of(expected, copied)
    select(page, step)
    page.click(".djs-context-pad [data-action='replace']")
    page.click(".djs-popup [data-id='replace-with-manual-task']")
    revision = saved(page, 1)
    modeler_call(page, """
        const registry = m.get('elementRegistry'), copyPaste = m.get('copyPaste');
        const source = registry.get(arg);
        copyPaste.copy([source]);
        copyPaste.paste({ element: source.parent, point: { x: source.x + 60, y: source.y + 300 } });
        """, copied)
    saved(page, revision)
    xml = saved_xml(server, draft_id)
    assert element_of(xml, step).tag == f"{{{BPMN}}}manualTask"
    content = vendor_content(xml)
    assert items_of(content, step) == items_of(expected, step)
    pasted = [who for who, _, _ in content if who not in {w for w, _, _ in expected}]
    assert len(set(pasted)) == 1 and items_of(content, pasted[0]) == items_of(expected, copied)
    designer.shot("camunda7-replaced-and-copied")


def test_every_text_of_the_modeler_is_vietnamese_on_any_file(
        actors: Actors, server: LiveServer) -> None:
    """Each element of the MIWG files selected (the panel drawn for it), with its context
    pad and its replace menu open: no text bpmn-js or the panel asks for is left in
    English."""
    outside = Outside()
    designer = sign_in(actors, outside, "qt.binh")
    page = designer.page
    left: set[str] = set()
    for path in MIWG:
        draft_id, _ = stored_draft(server, path)
        designer.go(f"/design/drafts/{draft_id}")
        page.wait_for_selector("body[data-modeler-ready]")
        modeler_call(page, """return (async () => {
            const selection = m.get('selection'), pad = m.get('contextPad');
            const popup = m.get('popupMenu');
            for (const element of m.get('elementRegistry').filter((e) => !e.labelTarget)) {
              selection.select(element);
              pad.open(element, true);
              if (!popup.isEmpty(element, 'bpmn-replace')) {
                popup.open(element, 'bpmn-replace', { x: 10, y: 10 });
                popup.close();
              }
              // The panel draws in an effect: let it draw this element's groups.
              await new Promise((resolve) => setTimeout(resolve, 0));
            }
          })();""")
        left |= set(page.evaluate("[...window.motcuaUntranslated]"))
    assert sorted(left) == [], sorted(left)
    assert outside.requests == []
