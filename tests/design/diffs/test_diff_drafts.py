"""A draft against a version of its procedure (the one it was copied from, or any other) and
against the decision's step table: rows missing, extra, with another responsible or another
time, read from the legal checks and answered with the values compared."""

from __future__ import annotations

from diff_support import DESIGNER, Designer, Edit, assert_seeded, find, seed_changes

from motcua.catalog.operations import get_procedure
from motcua.processes.checks import ProcedureContext
from support.api import PROCEDURE


def test_a_draft_against_the_version_it_was_copied_from(designer: Designer) -> None:
    version = designer.publish(designer.generated())
    copied = designer.copy(version)
    assert designer.changes(f"/drafts/{copied['id']}/diff?against={version}") == []
    bpmn, forms, done = seed_changes(copied["bpmn"], copied["forms"])
    edited = designer.save(copied, bpmn=bpmn, forms=forms)
    body = designer.diff(f"/drafts/{edited['id']}/diff?against={version}").get_json()
    assert body["from"]["kind"] == "version" and body["to"] == {
        "kind": "draft", "id": edited["id"], "title": body["to"]["title"]}
    assert_seeded(body["changes"], done)


def test_an_invalid_draft_is_still_compared(designer: Designer) -> None:
    version = designer.publish(designer.generated())
    copied = designer.copy(version)
    edit = Edit(copied["bpmn"])
    task = edit.plain_task()
    edit.set_prop(task, "role", "not-a-role")
    edited = designer.save(copied, bpmn=edit.xml, forms={})
    assert [p for p in edited["problems"] if p["severity"] == "error"]
    changes = designer.changes(f"/drafts/{edited['id']}/diff?against={version}")
    assert find(changes, element_id=task.get("id"), field="role")["new"] == "not-a-role"
    assert {c["kind"] for c in changes if c["element_kind"] == "form" and "field" not in c} == {
        "removed"}


def test_a_draft_against_the_decision(designer: Designer) -> None:
    draft = designer.generated()
    assert designer.changes(f"/drafts/{draft['id']}/diff?against=decision") == []
    rows = {r.no: r for r in ProcedureContext.from_procedure(get_procedure(PROCEDURE)).rows}
    edit = Edit(draft["bpmn"])
    removable = [t for t in edit.tasks() if edit.prop(t, "row")
                 and len(edit.flows(targetRef=t.get("id") or "")) == 1
                 and len(edit.flows(sourceRef=t.get("id") or "")) == 1
                 and not edit.prop(t, "outcomes")]
    gone = removable[-1]
    missing = edit.prop(gone, "row")
    edit.remove_task(gone)
    timed, other = [t for t in edit.tasks() if edit.prop(t, "row")][:2]
    edit.set_prop(timed, "allotted", "1h")
    row = rows[edit.prop(other, "row") or ""]
    role = next(r for r in ("receiver", "specialist", "unit_head", "leader", "clerk")
                if r != row.role)
    edit.set_prop(other, "role", role)
    extra = edit.insert_after(edit.plain_task(), "Task_Diff_Extra", "Bước ngoài quyết định")
    edit.set_prop(extra, "row", "99")
    edited = designer.save(draft, bpmn=edit.xml)

    response = designer.diff(f"/drafts/{edited['id']}/diff?against=decision")
    assert response.status_code == 200
    body = response.get_json()
    assert body["from"]["kind"] == "decision" and body["from"]["id"] is None
    changes = body["changes"]
    lost = find(changes, kind="removed", element_kind="row")
    assert lost["old"]["no"] == missing and rows[missing].work in lost["message"]
    added = find(changes, element_id="Task_Diff_Extra", kind="added")
    assert added["new"] == "99" and "99" in added["message"]
    time = find(changes, element_id=timed.get("id"), field="allotted")
    assert (time["old"], time["new"]) == (rows[edit.prop(timed, "row") or ""].minutes, 60)
    who = find(changes, element_id=other.get("id"), field="responsible")
    assert who["old"]["role"] == row.role and who["new"]["role"] == role
    assert all(c["rule"].startswith(("decision-", "time-")) for c in changes)
    # Every step declares its row: none is matched by order, and each change names its row.
    assert "decision-step-by-order" not in {c["rule"] for c in changes}
    assert (time["step_no"], who["step_no"]) == (edit.prop(timed, "row"), edit.prop(other, "row"))


CALLING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="Defs_Call"
  targetNamespace="http://motcua.example/test">
<bpmn:process id="Process_Main" isExecutable="true">
  <bpmn:startEvent id="Start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:callActivity id="Call_Long" name="Thẩm định" calledElement="Process_Long">
    <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:callActivity>
  <bpmn:endEvent id="End"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="f1" sourceRef="Start" targetRef="Call_Long"/>
  <bpmn:sequenceFlow id="f2" sourceRef="Call_Long" targetRef="End"/>
</bpmn:process>
<bpmn:process id="Process_Long" isExecutable="true">
  <bpmn:startEvent id="LongStart"><bpmn:outgoing>g1</bpmn:outgoing></bpmn:startEvent>
  <bpmn:userTask id="Task_Long" name="Thẩm định hồ sơ"><bpmn:extensionElements>
    <spiffworkflow:properties><spiffworkflow:property name="role" value="specialist"/>
    <spiffworkflow:property name="unit" value="@handling"/>
    <spiffworkflow:property name="allotted" value="60d"/>
    <spiffworkflow:property name="row" value="3"/></spiffworkflow:properties>
  </bpmn:extensionElements><bpmn:incoming>g1</bpmn:incoming><bpmn:outgoing>g2</bpmn:outgoing>
  </bpmn:userTask>
  <bpmn:endEvent id="LongEnd"><bpmn:incoming>g2</bpmn:incoming></bpmn:endEvent>
  <bpmn:sequenceFlow id="g1" sourceRef="LongStart" targetRef="Task_Long"/>
  <bpmn:sequenceFlow id="g2" sourceRef="Task_Long" targetRef="LongEnd"/>
</bpmn:process>
</bpmn:definitions>
"""


def test_a_called_process_counts_against_the_time_limit_as_in_the_check(
        designer: Designer) -> None:
    """The diff against the decision runs the legal check on the process the draft's check
    runs it on: a call activity counts with the longest path of what it calls."""
    response = designer.api.post(DESIGNER, "/drafts",
                                 json={"procedure": PROCEDURE, "bpmn": CALLING})
    assert response.status_code == 201, response.get_json()
    draft = response.get_json()
    assert "time-over-limit" in {p["rule"] for p in draft["problems"]}
    changes = designer.changes(f"/drafts/{draft['id']}/diff?against=decision")
    assert "time-over-limit" in {c.get("rule") for c in changes}
