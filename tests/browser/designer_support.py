"""Driving the modeler page from a browser test: the modeler's own API through
``window.motcuaModeler`` (selection, the element registry, screen positions of shapes and
flows), its panel fields by their entry ids, the autosave's status, and a guard that aborts
and records any request leaving the live server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from browser_support import Actors, Officer, click_and_wait
from sqlalchemy import select as query

from motcua.catalog.models import Procedure
from motcua.db import db
from motcua.design import operations
from motcua.org.models import User


class Outside:
    """Aborts and records every request a context makes to anything but the live server."""

    def __init__(self) -> None:
        self.requests: list[str] = []

    def watch(self, context: Any) -> None:
        context.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1" or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            self.requests.append(url)
            route.abort()


def modeler_call(page: Any, script: str, arg: Any = None) -> Any:
    """Runs ``script`` (a function body with ``m`` the modeler and ``arg``) in the page."""
    return page.evaluate(f"([arg]) => {{ const m = window.motcuaModeler; {script} }}", [arg])


def element_with(page: Any, name: str, value: str) -> str:
    """The id of the element whose dialect property ``name`` is ``value``."""
    return str(modeler_call(page, """
        const [name, value] = arg;
        const hit = m.get('elementRegistry').filter((e) => {
          const ext = e.businessObject.extensionElements;
          const props = ext && (ext.values || []).find((v) => v.$type === 'spiffworkflow:Properties');
          return props && props.properties.some((p) => p.name === name && p.value === value);
        })[0];
        return hit ? hit.id : null;""", [name, value]))


def lane_of(page: Any, element_id: str) -> str:
    return str(modeler_call(page, "return m.get('elementRegistry').get(arg).businessObject"
                                  ".lanes[0].id;", element_id))


def select(page: Any, element_id: str) -> None:
    # Lanes lie under the palette: select through the modeler, as a click on them would.
    modeler_call(page, "m.get('selection').select(m.get('elementRegistry').get(arg));",
                 element_id)
    page.wait_for_selector(".bio-properties-panel-header")


def screen_point(page: Any, connection_id: str) -> tuple[float, float]:
    """Where the middle of a flow's longest segment is on the screen."""
    x, y = modeler_call(page, """
        const c = m.get('elementRegistry').get(arg), w = c.waypoints;
        let best = [w[0], w[1]];
        for (let i = 1; i < w.length; i++) {
          const d = Math.hypot(w[i].x - w[i-1].x, w[i].y - w[i-1].y);
          if (d > Math.hypot(best[1].x - best[0].x, best[1].y - best[0].y)) best = [w[i-1], w[i]];
        }
        const vb = m.get('canvas').viewbox();
        const box = m.get('canvas').getContainer().getBoundingClientRect();
        const px = (best[0].x + best[1].x) / 2, py = (best[0].y + best[1].y) / 2;
        return [box.left + (px - vb.x) * vb.scale, box.top + (py - vb.y) * vb.scale];""",
                        connection_id)
    return float(x), float(y)


def shape_point(page: Any, shape_id: str, fx: float, fy: float) -> tuple[float, float]:
    """The screen point at fractions ``fx``, ``fy`` of a shape's width and height."""
    x, y = modeler_call(page, """
        const [id, fx, fy] = arg, s = m.get('elementRegistry').get(id);
        const vb = m.get('canvas').viewbox();
        const box = m.get('canvas').getContainer().getBoundingClientRect();
        return [box.left + (s.x + s.width * fx - vb.x) * vb.scale,
                box.top + (s.y + s.height * fy - vb.y) * vb.scale];""", [shape_id, fx, fy])
    return float(x), float(y)


def drop_from_palette(page: Any, action: str, at: tuple[float, float]) -> None:
    page.click(f".djs-palette [data-action='{action}']")
    page.mouse.move(at[0] - 40, at[1] - 20)
    page.mouse.move(*at, steps=6)
    page.mouse.down()
    page.mouse.up()


def saved(page: Any, revision_after: int) -> int:
    """Waits for the autosave answering a revision above ``revision_after``."""
    page.wait_for_function(
        "n => { const t = document.querySelector('#save-status').textContent;"
        " const m = /bản (\\d+)/.exec(t); return document.body.dataset.saveState === 'saved'"
        " && m && Number(m[1]) > n; }", arg=revision_after, timeout=15_000)
    text = page.locator("#save-status").inner_text()
    match = re.search(r"bản (\d+)", text)
    assert match, text
    return int(match.group(1))


def problems_on(page: Any, element_id: str, severity: str = "error") -> int:
    """Problems of ``severity`` the list shows for the element (and its marker agrees)."""
    listed = page.locator(f"#problems-list li.{severity} button[data-element-id='{element_id}']")
    marked = page.locator(f"g.djs-element.motcua-{severity}[data-element-id='{element_id}']")
    if listed.count():
        assert marked.count() == 1 or severity == "warning"
        badge = page.locator(f".motcua-badge[data-element-id='{element_id}']")
        assert badge.count() == 1 and badge.get_attribute("title")
    return int(listed.count())


def set_property(page: Any, entry: str, value: str) -> None:
    field = page.locator(f"#bio-properties-panel-motcua-{entry}")
    if field.evaluate("e => e.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)
        field.press("Tab")


def type_slowly(page: Any, entry: str, pieces: tuple[str, ...]) -> None:
    """Types into a panel field in pieces, each followed by a pause longer than the
    autosave's debounce (so each piece is saved and read back before the next)."""
    field = page.locator(f"#bio-properties-panel-motcua-{entry}")
    field.fill("")
    for piece in pieces:
        field.press_sequentially(piece)
        page.wait_for_timeout(1_000)
    field.press("Tab")


def xml_of(page: Any) -> str:
    return str(page.evaluate("window.motcuaModeler.saveXML().then((r) => r.xml)"))


def generate_from_library(designer: Officer, procedure: str) -> None:
    """The library → the procedure → a draft generated from its decision, open and clean."""
    page = designer.page
    designer.go("/design")
    designer.shot("library")
    click_and_wait(designer, f"table.worklist a:text-is('{procedure}')")
    designer.shot("procedure")
    with page.expect_navigation():
        page.click("button:text-is('Tạo từ quyết định')")
    assert re.search(r"/design/drafts/\d+$", page.url), page.url
    page.wait_for_selector("body[data-modeler-ready=true]")
    assert page.locator("#problems-list li.error").count() == 0
    assert page.locator("#problems-summary").inner_text() == "Không có lỗi hay cảnh báo nào."
    # No empty notice bar while there is nothing to say.
    assert not page.locator("#modeler-notice").is_visible()
    # The bpmn.io logo stays visible (licence).
    assert page.locator(".bjs-powered-by").is_visible()
    designer.shot("modeler")


def undo_redo(page: Any, revision: int) -> None:
    """Undo brings the problem back, redo removes it again (both saved); after the button,
    the shortcut its neighbour's title promises works without a click on the diagram."""
    page.click("#tool-undo")
    revision = saved(page, revision)
    assert page.locator("#problems-list li.error").count() >= 1
    page.keyboard.press("Control+y")
    saved(page, revision)
    assert page.locator("#problems-list li.error").count() == 0


def publish(designer: Officer, version: int) -> None:
    page = designer.page
    page.click("#publish-button")
    page.wait_for_selector(".notice.success")
    assert f"Đã công bố phiên bản {version}" in page.locator("#modeler-notice").inner_text()
    designer.shot("published")


def palette_fits(page: Any) -> bool:
    """Every tool of the palette lies inside the canvas (none cut off at its bottom)."""
    canvas = page.locator("#modeler-canvas").bounding_box()
    boxes = [e.bounding_box() for e in page.locator(".djs-palette .entry").all()]
    return all(b and b["y"] + b["height"] <= canvas["y"] + canvas["height"] for b in boxes)


def receive_on_the_new_version(lan: Officer, procedure: str) -> None:
    """The desk receives a dossier, which runs on the version just published."""
    page = lan.page
    lan.go(f"/dossiers/new?procedure={procedure}")
    for name, value in {"applicant.name": "Trần Thị Mới", "applicant.id_number": "001190012345",
                        "applicant.phone": "0912000111",
                        "applicant.address": "5 Hàng Bài, Hoàn Kiếm"}.items():
        page.fill(f"[name='{name}']", value)
    lan.shot("receive-new-version")
    click_and_wait(lan, "button[name=outcome][value=accept]")
    code = page.locator(".subtitle strong").inner_text().strip()
    lan.go(f"/dossiers/{code}")
    assert "Phiên bản 2" in page.locator("dl").first.inner_text()
    lan.shot("dossier-on-version-2")


def sign_in(actors: Actors, outside: Outside, username: str, *, phone: bool = False) -> Officer:
    officer = actors.new(username, phone=phone, login=False)
    outside.watch(officer.page.context)
    officer.login()
    return officer


def export_and_open_again(page: Any, procedure: str, tmp_path: Path, revision: int) -> None:
    """.bpmn, SVG and PNG exports, and the exported .bpmn opened again (and saved)."""
    with page.expect_download() as download:
        page.click("#tool-export-bpmn")
    assert download.value.suggested_filename == f"{procedure}.bpmn"
    exported = tmp_path / "exported.bpmn"
    download.value.save_as(exported)
    assert "spiffworkflow:property" in exported.read_text(encoding="utf-8")
    with page.expect_download() as download:
        page.click("#tool-export-svg")
    assert download.value.suggested_filename.endswith(".svg")
    with page.expect_download() as download:
        page.click("#tool-export-png")
    png = tmp_path / "diagram.png"
    download.value.save_as(png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.set_input_files("#tool-import-file", str(exported))
    saved(page, revision)


def touch_drag(page: Any, selector: str, dx: float, dy: float, *,
               fingers: int = 1, spread: float = 0) -> None:
    """Drags ``fingers`` fingers across the element by (dx, dy), as a phone's touchscreen
    sends it (Chromium's own touch events, through the DevTools protocol); with two fingers,
    ``spread`` moves them that much further apart (a pinch outwards)."""
    box = page.locator(selector).bounding_box()
    assert box, selector
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    session = page.context.new_cdp_session(page)

    def points(step: float) -> list[dict[str, float]]:
        first = {"x": x + dx * step, "y": y + dy * step}
        if fingers == 1:
            return [first]
        apart = 40 + spread * step
        return [{"x": first["x"] - apart / 2, "y": first["y"]},
                {"x": first["x"] + apart / 2, "y": first["y"]}]

    session.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points(0)})
    for i in range(1, 11):
        session.send("Input.dispatchTouchEvent",
                     {"type": "touchMove", "touchPoints": points(i / 10)})
    session.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    session.detach()


def designer_and_procedure(username: str, code: str) -> tuple[User, Procedure]:
    """Inside the live server's app context: the designer's user row and the procedure's."""
    user = db.session.scalar(query(User).where(User.username == username))
    procedure = db.session.scalar(query(Procedure).where(Procedure.code == code))
    assert user is not None and procedure is not None
    return user, procedure


def store_draft(server: Any, bpmn: bytes, filename: str, username: str,
                code: str) -> tuple[int, int, str]:
    """A draft of ``code`` made from ``bpmn`` by ``username``, committed in the live server's
    database: its id, revision and the text it keeps."""
    with server.app.app_context():
        user, procedure = designer_and_procedure(username, code)
        draft = operations.create(procedure, user, bpmn=bpmn, filename=filename,
                                  origin="upload")
        db.session.commit()
        return draft.id, draft.revision, draft.bpmn_xml
