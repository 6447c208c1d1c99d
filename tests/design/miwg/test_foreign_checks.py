"""What other tools put in a file and the platform does not run is named on its element:
data flowing along associations (an error: the engine would stop the dossier), another
engine's assignments, forms, listeners and expressions, message flows, pools that never
run, shapes missing from the drawing (warnings)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree
from vendor_content import MIWG_FILES, VENDOR_FILES

from motcua.processes.checks import Problem, check_process
from support.sample import SAMPLE_BPMN

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def problems(name: str) -> list[Problem]:
    path: Path = next(p for p in MIWG_FILES + VENDOR_FILES if p.name == name)
    return check_process(path.read_bytes(), path.name, {}).problems


def on(found: list[Problem], element_id: str, *words: str) -> list[Problem]:
    return [p for p in found if p.element_id == element_id
            and all(w in p.message for w in words)]


def test_another_engines_assignments_forms_and_listeners_are_warned_on_their_step() -> None:
    found = problems("camunda7.bpmn")
    assert on(found, "Task_TiepNhan", "giao việc", "camunda:candidateGroups")
    assert on(found, "Task_TiepNhan", "biểu mẫu", "camunda:formData")
    assert on(found, "Task_TiepNhan", "camunda:taskListener")
    assert on(found, "StartEvent_1", "biểu mẫu", "camunda:formKey")
    assert on(found, "Task_ThamDinh", "camunda:inputOutput")
    zeebe = problems("zeebe.bpmn")
    assert on(zeebe, "Task_ThamDinh", "giao việc", "zeebe:assignmentDefinition")
    assert on(zeebe, "Task_TraKetQua", "zeebe:executionListeners")
    for problem in found + zeebe:
        if problem.rule == "ignored":
            assert problem.severity == "warning"
    # Decoration (Signavio's colours, Bizagi's properties) is not worth a word.
    assert not [p for p in problems("signavio.bpmn") + problems("bizagi.bpmn")
                if p.rule == "ignored"]


def test_spiffarenas_form_files_are_warned_on_their_step() -> None:
    # SpiffArena writes them among SpiffWorkflow's properties, where the platform reads only
    # "form": the step would show no form, and nothing said why.
    found = problems("spiffarena.bpmn")
    (receive,) = on(found, "Task_TiepNhan", "biểu mẫu", "formJsonSchemaFilename")
    assert "formUiSchemaFilename" in receive.message and receive.severity == "warning"
    assert on(found, "Task_ThamDinh", "biểu mẫu", "formJsonSchemaFilename")
    assert not on(found, "Task_TraKetQua", "biểu mẫu")


def test_a_condition_in_another_engines_language_says_which() -> None:
    assert on(problems("zeebe.bpmn"), "Flow_HopLe", "FEEL")
    assert on(problems("C.1.0.bpmn"), "invoiceApproved", "JUEL")
    assert on(problems("C.8.1.bpmn"), "_f2b0da63-d841-4457-ad85-7d86c8b5c1d2", "FEEL")


def test_data_flowing_along_associations_is_an_error_on_the_step() -> None:
    found = problems("C.1.1.bpmn")
    written = on(found, "approveInvoice", "dataOutputAssociation", 'đối tượng dữ liệu "approved"')
    assert written and all(p.is_error and p.rule == "unsupported" for p in written)
    assert on(found, "approveInvoice", "ioSpecification")


def test_calls_timers_message_flows_and_pools_that_cannot_run_are_named() -> None:
    b1 = problems("B.1.0.bpmn")
    assert on(b1, "_fa3a8e53-5be0-4f0b-8680-d2498e255209", "tác vụ dùng chung", "globalTask")
    assert on(b1, "_e314751e-5c3a-41f2-a1ae-4cb99efa0916", "sự kiện bắt đầu hẹn giờ không")
    assert on(problems("A.4.0.bpmn"), "_b467921a-ef7b-44c5-bf78-fd624c400d17",
              "Luồng thông điệp")
    c1 = problems("C.1.0.bpmn")
    assert on(c1, "sid-46891B57-A9D3-4A8B-AEBF-D4BA5F3961AD", "chỉ để minh họa")
    undrawn = [p for p in problems("B.2.0.bpmn") if p.rule == "no-diagram"]
    assert undrawn and all(p.severity == "warning" and p.element_id for p in undrawn)


def test_another_tools_element_with_the_id_of_one_of_ours_is_an_error() -> None:
    """SpiffWorkflow indexes every id of a process whatever its namespace: a form field of
    Camunda named like a step would be taken for the step."""
    root = etree.fromstring(SAMPLE_BPMN.read_bytes())
    first, *_, last = root.iter(f"{{{BPMN}}}userTask")
    extension = last.find(f"{{{BPMN}}}extensionElements")
    assert extension is not None
    extension.append(etree.fromstring(
        f'<camunda:formField xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
        f'id="{first.get("id")}" label="Trùng mã"/>'))
    found = check_process(etree.tostring(root), "copy.bpmn", {}).problems
    clash = on(found, last.get("id") or "", "camunda:formField", f'"{first.get("id")}"')
    assert len(clash) == 1 and clash[0].is_error and clash[0].rule == "structure"
    assert clash[0].message.startswith(f'Phần mở rộng <camunda:formField> của bước "{last.get("name")}"')
    assert not [p for p in found if p.rule == "engine"]
