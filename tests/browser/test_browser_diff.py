"""The version diff in headless Chromium: a draft with every kind of change against the
version it was copied from. The newer diagram marks what was added (green) and changed
(amber), the older one what was removed (red); a click on a change in the list shows its
diagram, centres and selects its element. Without JavaScript the list alone says it all.
No request leaves the server."""

from __future__ import annotations

from typing import Any

import pytest
from browser_support import Actors, LiveServer, scroll_overflow
from designer_support import Outside, designer_and_procedure, sign_in, touch_drag

from design.diffs.diff_support import DESIGNER, Edit, seed_changes
from motcua.db import db
from motcua.design import operations
from motcua.design.generate import generate_draft
from support.api import PROCEDURE

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def compared(server: LiveServer) -> dict[str, Any]:
    """A version published from a generated draft, and a copy of it with every kind of
    change: the path of its diff page and what was changed."""
    with server.app.app_context():
        user, procedure = designer_and_procedure(DESIGNER, PROCEDURE)
        version = operations.publish(generate_draft(procedure, user), None, user)
        draft = operations.copy_version(procedure, version.version, user)
        bpmn, forms, done = seed_changes(draft.bpmn_xml, draft.forms)
        operations.save(draft, draft.revision, user, bpmn=bpmn, forms=forms)
        path = f"/design/drafts/{draft.id}/diff?against={version.id}"
        db.session.commit()
    return {"path": path, "done": done, "decision": path.split("?")[0] + "?against=decision"}


def marker(page: Any, side: str, element_id: str) -> str | None:
    """The diff marker of an element on one of the two diagrams."""
    found: str | None = page.evaluate("""([side, id]) => {
        const v = window.motcuaDiff[side].viewer, e = v.get('elementRegistry').get(id);
        if (!e) return null;
        const c = v.get('canvas');
        return ['diff-added', 'diff-changed', 'diff-removed'].find((m) => c.hasMarker(e, m)) || '';
    }""", [side, element_id])
    return found


def selected(page: Any, side: str) -> list[str]:
    ids: list[str] = page.evaluate(
        "(side) => window.motcuaDiff[side].viewer.get('selection').get().map((e) => e.id)", side)
    return ids


def in_view(page: Any, side: str, element_id: str) -> bool:
    """Whether the element's centre is inside the visible part of the canvas."""
    inside: bool = page.evaluate("""([side, id]) => {
        const v = window.motcuaDiff[side].viewer, e = v.get('elementRegistry').get(id);
        const vb = v.get('canvas').viewbox();
        const x = e.x + e.width / 2, y = e.y + e.height / 2;
        return x > vb.x && x < vb.x + vb.width && y > vb.y && y < vb.y + vb.height;
    }""", [side, element_id])
    return inside


def test_open_a_diff_and_see_the_markers(actors: Actors, compared: dict[str, Any]) -> None:
    outside = Outside()
    designer = sign_in(actors, outside, DESIGNER)
    page = designer.page
    # From the procedure page, by its link, as a designer gets there.
    designer.go(f"/design/procedures/{PROCEDURE}")
    designer.shot("procedure")
    with page.expect_navigation():
        page.click(f"a[href='{compared['path']}']")
    page.wait_for_selector("body[data-diff-ready='true']")
    done = compared["done"]
    assert page.evaluate("document.body.dataset.diffSide") == "new"
    assert marker(page, "new", done["added"]) == "diff-added"
    assert marker(page, "new", done["renamed"][0]) == "diff-changed"
    assert marker(page, "new", done["id"][1]) == "diff-changed"
    assert marker(page, "new", done["lane"][0]) == "diff-changed"
    assert marker(page, "old", done["removed"]) == "diff-removed"
    assert marker(page, "new", done["removed"]) is None
    # Drawn, not only recorded: the markers' colours reach the SVG.
    assert page.locator(".djs-shape.diff-added").count() >= 1
    assert page.locator(".diff-badge.diff-added").count() >= 1
    designer.shot("diff-new")

    page.click(f".diff-change[data-element-id='{done['removed']}']")
    assert page.evaluate("document.body.dataset.diffSide") == "old"
    assert page.locator("#show-old[aria-pressed='true']").count() == 1
    assert selected(page, "old") == [done["removed"]]
    assert in_view(page, "old", done["removed"])
    designer.shot("diff-removed-selected")

    page.click(f".diff-change.diff-added[data-element-id='{done['added']}']")
    assert page.evaluate("document.body.dataset.diffSide") == "new"
    assert selected(page, "new") == [done["added"]]
    assert in_view(page, "new", done["added"])
    page.click("#show-old")
    assert page.evaluate("document.body.dataset.diffSide") == "old"
    page.click("#show-new")
    assert scroll_overflow(page) == 0
    assert outside.requests == []


def test_on_a_phone_and_without_javascript(actors: Actors, compared: dict[str, Any]) -> None:
    phone = actors.new(DESIGNER, phone=True)
    phone.go(compared["path"])
    phone.page.wait_for_selector("body[data-diff-ready='true']")
    assert scroll_overflow(phone.page) == 0
    # Fitted to its height on a phone, the diagram is read by moving it with a finger.
    viewbox = ("() => { const v = window.motcuaDiff.new.viewer.get('canvas').viewbox();"
               " return [v.x, v.scale]; }")
    x, scale = phone.page.evaluate(viewbox)
    assert scale >= 0.4, scale
    touch_drag(phone.page, "#diff-canvas", -100, 0)
    moved, _ = phone.page.evaluate(viewbox)
    assert moved - x == pytest.approx(100 / scale, rel=0.1)
    phone.shot("diff-phone")
    plain = actors.new(DESIGNER, javascript=False)
    plain.go(compared["path"])
    assert plain.page.locator("#diff-diagram").is_hidden()
    items = plain.page.locator(".diff-change")
    assert items.count() >= 10
    assert plain.page.get_by_text("Thêm bước", exact=False).count() >= 1
    plain.shot("diff-no-javascript")


def test_against_the_decision_one_diagram_is_marked(actors: Actors,
                                                    compared: dict[str, Any]) -> None:
    designer = actors.new(DESIGNER)
    designer.go(compared["decision"])
    designer.page.wait_for_selector("body[data-diff-ready='true']")
    assert designer.page.locator("#show-old").count() == 0
    # The step added on the main path carries no row of the decision: it takes the place of
    # the removed step's row by its order on the main route, so it is changed, not extra.
    assert marker(designer.page, "new", compared["done"]["added"]) == "diff-changed"
    assert "khớp theo thứ tự" in designer.page.inner_text("body")
    designer.shot("diff-decision")


def test_a_step_whose_form_is_dropped_is_changed_not_removed(actors: Actors,
                                                             server: LiveServer) -> None:
    """The form a step alone used is dropped with the step's "form": the form is listed as
    removed, but on both diagrams the step is changed (amber), not removed (red) or added."""
    with server.app.app_context():
        user, procedure = designer_and_procedure(DESIGNER, PROCEDURE)
        version = operations.publish(generate_draft(procedure, user), None, user)
        draft = operations.copy_version(procedure, version.version, user)
        edit = Edit(draft.bpmn_xml)
        used = [(t, edit.prop(t, "form")) for t in edit.tasks()]
        step, key = next((t, k) for t, k in used
                         if k and [k2 for _, k2 in used].count(k) == 1)
        for prop in edit.all_in(step, ".//spiffworkflow:property[@name='form']"):
            prop.getparent().remove(prop)  # type: ignore[union-attr]
        forms = {k: v for k, v in draft.forms.items() if k != key}
        operations.save(draft, draft.revision, user, bpmn=edit.xml, forms=forms)
        path = f"/design/drafts/{draft.id}/diff?against={version.id}"
        ident = step.get("id") or ""
        db.session.commit()
    designer = actors.new(DESIGNER)
    designer.go(path)
    designer.page.wait_for_selector("body[data-diff-ready='true']")
    assert designer.page.locator(".diff-change.diff-removed").count() >= 1
    assert marker(designer.page, "new", ident) == "diff-changed"
    assert marker(designer.page, "old", ident) == "diff-changed"
    designer.shot("diff-form-dropped")
