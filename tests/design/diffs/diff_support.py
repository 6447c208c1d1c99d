"""Edits a designer makes, applied to any process in the platform's dialect (never to a
step, lane or form known by its name or key): the tests seed each kind of change with these
and look for it in the diff."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from lxml import etree

from motcua.processes.checks.document import BPMN_NS, SPIFF_NS
from support.api import PROCEDURE, Api

NS = {"bpmn": BPMN_NS, "spiffworkflow": SPIFF_NS}
DESIGNER = "qt.binh"
OTHER_DESIGNER: dict[str, Any] = {
    "username": "tk.khoa", "full_name": "Trịnh Khoa", "password": "demo-Khoa-2026",
    "memberships": [{"agency": "000.00.20.H99", "role": "designer"}]}


class Designer:
    """The designer's moves through the API: generate, save, publish, copy, diff."""

    def __init__(self, api: Api) -> None:
        self.api = api

    def generated(self) -> dict[str, Any]:
        response = self.api.post(DESIGNER, "/drafts/generate", json={"procedure": PROCEDURE})
        assert response.status_code == 201, response.get_json()
        return self.draft(response.get_json()["id"])

    def draft(self, draft_id: int) -> dict[str, Any]:
        found: dict[str, Any] = self.api.get(DESIGNER, f"/drafts/{draft_id}").get_json()
        return found

    def save(self, draft: dict[str, Any], **body: Any) -> dict[str, Any]:
        response = self.api.call("PUT", DESIGNER, f"/drafts/{draft['id']}",
                                 json={"revision": draft["revision"], **body})
        assert response.status_code == 200, response.get_json()
        return self.draft(draft["id"])

    def publish(self, draft: dict[str, Any]) -> int:
        response = self.api.post(DESIGNER, f"/drafts/{draft['id']}/publish", json={})
        assert response.status_code == 201, response.get_json()
        version_id: int = response.get_json()["version_id"]
        return version_id

    def copy(self, version: int) -> dict[str, Any]:
        number = self.api.get(DESIGNER, f"/processes?procedure={PROCEDURE}").get_json()
        found = next(v["version"] for v in number if v["id"] == version)
        response = self.api.post(DESIGNER, "/drafts", json={"procedure": PROCEDURE,
                                                            "from_version": found})
        assert response.status_code == 201, response.get_json()
        return self.draft(response.get_json()["id"])

    def diff(self, path: str, user: str = DESIGNER) -> Any:
        return self.api.get(user, path)

    def changes(self, path: str) -> list[dict[str, Any]]:
        response = self.diff(path)
        assert response.status_code == 200, response.get_json()
        found: list[dict[str, Any]] = response.get_json()["changes"]
        return found


class Edit:
    """One process file being edited: the tree, its properties, its ids."""

    def __init__(self, xml: str) -> None:
        self.tree = etree.fromstring(xml.encode("utf-8"))

    @property
    def xml(self) -> str:
        return etree.tostring(self.tree, xml_declaration=True, encoding="UTF-8").decode()

    def all(self, xpath: str) -> list[etree._Element]:
        found = self.tree.xpath(xpath, namespaces=NS)
        assert isinstance(found, list)
        return [e for e in found if isinstance(e, etree._Element)]

    def tasks(self) -> list[etree._Element]:
        return self.all("//bpmn:userTask")

    def by_id(self, ident: str) -> etree._Element:
        (el,) = self.all(f"//*[@id='{ident}']")
        return el

    def prop(self, el: etree._Element, name: str) -> str | None:
        found = self.all_in(el, f"./bpmn:extensionElements/spiffworkflow:properties/"
                                f"spiffworkflow:property[@name='{name}']")
        return found[0].get("value") if found else None

    def all_in(self, el: etree._Element, xpath: str) -> list[etree._Element]:
        found = el.xpath(xpath, namespaces=NS)
        assert isinstance(found, list)
        return [e for e in found if isinstance(e, etree._Element)]

    def set_prop(self, el: etree._Element, name: str, value: str) -> None:
        props = self.all_in(el, "./bpmn:extensionElements/spiffworkflow:properties")
        if not props:
            ext = self.all_in(el, "./bpmn:extensionElements")
            holder = ext[0] if ext else etree.Element(f"{{{BPMN_NS}}}extensionElements")
            if not ext:
                el.insert(0, holder)
            props = [etree.SubElement(holder, f"{{{SPIFF_NS}}}properties")]
        for prop in self.all_in(props[0], f"./spiffworkflow:property[@name='{name}']"):
            prop.set("value", value)
            return
        etree.SubElement(props[0], f"{{{SPIFF_NS}}}property", name=name, value=value)

    def flows(self, **attrs: str) -> list[etree._Element]:
        return [f for f in self.all("//bpmn:sequenceFlow")
                if all(f.get(k) == v for k, v in attrs.items())]

    def task_where(self, test: Callable[[etree._Element], bool]) -> etree._Element:
        return next(t for t in self.tasks() if test(t))

    def plain_task(self) -> etree._Element:
        """A step with one way in, one way out, no buttons and nothing on its border: one
        that can be taken out, or have a step put after it, keeping the process valid."""
        def plain(task: etree._Element) -> bool:
            ident = task.get("id") or ""
            return (len(self.flows(targetRef=ident)) == 1 and len(self.flows(sourceRef=ident)) == 1
                    and not self.prop(task, "outcomes")
                    and not self.all(f"//bpmn:boundaryEvent[@attachedToRef='{ident}']"))
        return self.task_where(plain)

    def rename_id(self, old: str, new: str) -> None:
        """What the modeler does when the id is edited: every reference follows."""
        for el in self.tree.iter():
            for key, value in el.attrib.items():
                if value == old:
                    el.set(key, new)
            if isinstance(el.tag, str) and el.text and el.text.strip() == old:
                el.text = new

    def shape(self, ident: str) -> etree._Element:
        (found,) = self.all(f"//*[local-name()='BPMNShape'][@bpmnElement='{ident}']")
        return found

    def insert_after(self, task: etree._Element, new_id: str, name: str) -> etree._Element:
        """A new step between ``task`` and what follows it, in the same lane, drawn below."""
        ident = task.get("id") or ""
        (out,) = self.flows(sourceRef=ident)
        added = copy.deepcopy(task)
        added.set("id", new_id)
        added.set("name", name)
        self.set_prop(added, "allotted", "0")
        for prop in self.all_in(added, ".//spiffworkflow:property[@name='row']"):
            prop.getparent().remove(prop)  # type: ignore[union-attr]
        task.addnext(added)
        flow = etree.Element(f"{{{BPMN_NS}}}sequenceFlow", id=f"Flow_{new_id}",
                             sourceRef=new_id, targetRef=out.get("targetRef") or "")
        out.set("targetRef", new_id)
        out.addnext(flow)
        for ref in self.all(f"//bpmn:flowNodeRef[text()='{ident}']"):
            extra = etree.Element(f"{{{BPMN_NS}}}flowNodeRef")
            extra.text = new_id
            ref.addnext(extra)
        shape = copy.deepcopy(self.shape(ident))
        shape.set("id", f"{new_id}_di")
        shape.set("bpmnElement", new_id)
        bounds = shape[0]
        bounds.set("y", str(float(bounds.get("y") or 0) + 100))
        self.shape(ident).addnext(shape)
        return added

    def remove_task(self, task: etree._Element) -> None:
        """Take the step out and join the flow into it to what followed it."""
        ident = task.get("id") or ""
        (into,) = self.flows(targetRef=ident)
        (out,) = self.flows(sourceRef=ident)
        into.set("targetRef", out.get("targetRef") or "")
        for ref in self.all(f"//bpmn:incoming[text()='{out.get('id')}']"):
            ref.text = into.get("id")
        for el in [task, out, *self.all(f"//bpmn:flowNodeRef[text()='{ident}']"),
                   *self.all(f"//*[@bpmnElement='{ident}' or @bpmnElement='{out.get('id')}']")]:
            el.getparent().remove(el)  # type: ignore[union-attr]


def form_of(forms: dict[str, Any], key: str) -> dict[str, Any]:
    schema: dict[str, Any] = forms[key]["schema"]
    return schema


ROLES = ("receiver", "specialist", "unit_head", "leader", "clerk")
SELECTORS = ("@desk", "@handling", "@agency")
NEW_OUTCOME = "xin_y_kien"


def other(value: str | None, choices: tuple[str, ...]) -> str:
    return next(c for c in choices if c != value)


def seed_changes(bpmn: str, forms: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Every kind of change a designer makes, once each, on whatever steps, lanes and forms
    the process has: returns the file, the forms and what was done to which element."""
    e = Edit(bpmn)
    done: dict[str, Any] = {}
    plain = [t for t in e.tasks() if t is not None]
    first_plain = e.plain_task()
    done["added"] = e.insert_after(first_plain, "Task_Diff_Added", "Bước thêm để so sánh").get("id")
    removable = [t for t in plain if t is not first_plain and t.get("id") != "Task_Diff_Added"
                 and len(e.flows(targetRef=t.get("id") or "")) == 1
                 and len(e.flows(sourceRef=t.get("id") or "")) == 1
                 and not e.prop(t, "outcomes") and not e.prop(t, "document")
                 and not e.all(f"//bpmn:boundaryEvent[@attachedToRef='{t.get('id')}']")]
    gone = removable[-1]
    done["removed"] = gone.get("id")
    e.remove_task(gone)

    with_row = [t for t in e.tasks() if e.prop(t, "row") and t.get("id") not in done.values()]
    renamed = with_row[0]
    done["renamed"] = (renamed.get("id"), renamed.get("name"), "Tên mới của bước để so sánh")
    renamed.set("name", done["renamed"][2])
    moved = with_row[1]
    done["id"] = (moved.get("id"), f"{moved.get('id')}_Moi")
    e.rename_id(*done["id"])
    timed = next(t for t in e.tasks() if e.prop(t, "allotted") not in (None, "", "0")
                 and t.get("id") not in (done["added"], done["renamed"][0]))
    # Shorter: a longer time could take the longest path past the procedure's time limit.
    done["allotted"] = (timed.get("id"), e.prop(timed, "allotted"), "1h")
    e.set_prop(timed, "allotted", "1h")

    deciding = [t for t in e.tasks() if e.prop(t, "outcomes")]
    asked = deciding[0]
    outcomes = e.prop(asked, "outcomes") or ""
    key = outcomes.split(";")[0].split("=")[0].split(":")[0]
    e.set_prop(asked, "outcomes", f"{outcomes};{NEW_OUTCOME}:forward=Xin ý kiến")
    (flow,) = [f for f in e.flows() if "".join(f.itertext()).strip() == f'outcome == "{key}"']
    flow[0].text = f'outcome in ("{key}", "{NEW_OUTCOME}")'
    done["outcome_added"] = asked.get("id")
    done["condition"] = flow.get("id")
    meant = deciding[-1]
    parts = (e.prop(meant, "outcomes") or "").split(";")
    head, label = parts[0].split("=", 1)
    was = head.split(":")[1] if ":" in head else "forward"
    now = "accept" if was != "accept" else "forward"
    parts[0] = f"{head.split(':')[0]}:{now}={label}"
    e.set_prop(meant, "outcomes", ";".join(parts))
    done["meaning"] = (meant.get("id"), head.split(":")[0], was, now)

    lane = e.all("//bpmn:lane")[-1]
    role, unit = e.prop(lane, "role"), e.prop(lane, "unit")
    done["lane"] = (lane.get("id"), role, other(role, ROLES), unit, other(unit, SELECTORS))
    e.set_prop(lane, "role", done["lane"][2])
    e.set_prop(lane, "unit", done["lane"][4])

    forms = copy.deepcopy(forms)
    used = {e.prop(el, "form") for el in [*e.tasks(), *e.all("//bpmn:startEvent")]}
    key = max((k for k in used if k in forms),
              key=lambda k: len(forms[k]["schema"].get("properties", {})))
    schema = forms[key]["schema"]
    names = list(schema["properties"])
    assert len(names) >= 2, "a form with two fields at least"
    schema["properties"]["ghi_chu_so_sanh"] = {"type": "string", "title": "Ghi chú so sánh"}
    declared = {e.prop(t, p) for t in e.tasks()
                for p in ("assignee_field", "reason_field", "missing_field")}
    dropped = [n for n in names if n not in declared][-1]
    del schema["properties"][dropped]
    schema["required"] = [r for r in schema.get("required", []) if r != dropped]
    toggled = next(n for n in names if n != dropped)
    required = toggled in schema["required"]
    schema["required"] = ([r for r in schema["required"] if r != toggled] if required
                          else [*schema["required"], toggled])
    done["form"] = (key, "ghi_chu_so_sanh", dropped, toggled, required)
    return e.xml, forms, done


def find(changes: list[dict[str, Any]], **expected: Any) -> dict[str, Any]:
    found = [c for c in changes if all(c.get(k) == v for k, v in expected.items())]
    assert len(found) == 1, (expected, [c for c in changes
                                        if c.get("element_id") == expected.get("element_id")])
    return found[0]


def assert_seeded(changes: list[dict[str, Any]], done: dict[str, Any]) -> None:
    """Each change ``seed_changes`` made is in the diff, once, with its values."""
    assert all(c["message"] and c["kind"] in ("added", "removed", "changed") for c in changes)
    find(changes, element_id=done["added"], kind="added", element_kind="step")
    find(changes, element_id=done["removed"], kind="removed", element_kind="step")
    ident, old_name, new_name = done["renamed"]
    renamed = find(changes, element_id=ident, field="name")
    assert (renamed["old"], renamed["new"]) == (old_name, new_name)
    assert new_name in renamed["message"]
    old_id, new_id = done["id"]
    moved = find(changes, element_id=new_id, field="id", kind="changed")
    assert (moved["old"], moved["new"], moved["old_element_id"]) == (old_id, new_id, old_id)
    assert not [c for c in changes if c["element_id"] in (old_id, new_id)
                and c["kind"] in ("added", "removed") and "field" not in c]
    ident, _, _ = done["allotted"]
    timed = find(changes, element_id=ident, field="allotted")
    assert timed["new"] == 60 and timed["old"] != timed["new"]
    assert "1 giờ" in timed["message"]
    added = find(changes, element_id=done["outcome_added"], kind="added",
                 field=f"outcomes.{NEW_OUTCOME}")
    assert added["new"] == {"key": NEW_OUTCOME, "label": "Xin ý kiến", "meaning": "forward"}
    assert "Xin ý kiến" in added["message"]
    find(changes, element_id=done["condition"], field="condition", element_kind="flow")
    ident, key, was, now = done["meaning"]
    meaning = find(changes, element_id=ident, field=f"outcomes.{key}.meaning")
    assert (meaning["old"], meaning["new"]) == (was, now)
    lane, _, new_role, unit, _ = done["lane"]
    assert find(changes, element_id=lane, field="role")["new"] == new_role
    assert find(changes, element_id=lane, field="unit")["old"] == unit
    form, new_field, dropped, toggled, was_required = done["form"]
    assert find(changes, form=form, kind="added", field=f"fields.{new_field}")["new"][
        "title"] == "Ghi chú so sánh"
    find(changes, form=form, kind="removed", field=f"fields.{dropped}")
    required = find(changes, form=form, kind="changed", field=f"fields.{toggled}.required")
    assert (required["old"], required["new"]) == (was_required, not was_required)
