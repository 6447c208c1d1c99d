"""What other modelers put in a BPMN file that the platform does not run: data flowing
along associations, assignments and forms in another engine's terms, another engine's
listeners and mappings, its elements borrowing our ids, message flows, pools that never
run, elements without a drawing. Each is named on its element, so a diagram made elsewhere
(Camunda, Signavio, Bizagi, the MIWG reference files) opens with a list of what to change
instead of failing later, at run time.

The vendor content itself is never removed: the draft keeps the file as it was given."""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

from motcua.processes.checks.document import (
    BPMN_NS,
    SPIFF_NS,
    Document,
    bpmn_tag,
    label,
    local_name,
)
from motcua.processes.checks.problems import Problem, Severity
from motcua.processes.checks.structure import check_supported
from motcua.processes.checks.words import capital

DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"

# SpiffWorkflow copies data along these at run time and stops the dossier with an error
# when the data object or the task's data lacks the value: refused at upload instead.
_DATA_ASSOCIATIONS = ("dataInputAssociation", "dataOutputAssociation")
_DATA_ELEMENTS = ("dataObjectReference", "dataStoreReference", "dataObject")
# Who does a task, in the standard's or another engine's words: the lane decides here.
_PERFORMERS = ("potentialOwner", "humanPerformer", "performer")
_ASSIGNMENT_ATTRIBUTES = frozenset({"assignee", "candidateGroups", "candidateUsers"})
_ASSIGNMENT_ELEMENTS = frozenset({"assignmentDefinition", "candidateGroups"})
_FORM_ATTRIBUTES = frozenset({"formKey", "formRef"})
_FORM_ELEMENTS = frozenset({"formData", "formDefinition", "userTaskForm"})
# SpiffArena names its forms' files in SpiffWorkflow's properties, beside ours: the platform
# reads only "form" there, so such a step would show no form at all.
_SPIFFARENA_FORM_PROPERTIES = frozenset({"formJsonSchemaFilename", "formUiSchemaFilename"})
# Extension elements of other engines that would do something when the element runs
# (listeners, scripts, input/output mappings, workers, connectors): decoration (colours,
# metadata) is left unmentioned.
_BEHAVIOUR_ELEMENTS = frozenset({
    "executionListener", "taskListener", "inputOutput", "ioMapping", "taskDefinition",
    "taskHeaders", "connector", "script", "executionListeners", "field", "in", "out",
    "calledElement", "calledDecision", "subscription", "loopCharacteristics",
})
# Flow elements a designer sees as a shape or a line: one without a drawing cannot be
# selected or edited in the modeler.
_DRAWN = frozenset({
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask",
    "receiveTask", "businessRuleTask", "callActivity", "subProcess", "transaction",
    "adHocSubProcess", "startEvent", "endEvent", "intermediateCatchEvent",
    "intermediateThrowEvent", "boundaryEvent", "exclusiveGateway", "parallelGateway",
    "inclusiveGateway", "eventBasedGateway", "complexGateway", "sequenceFlow", "lane",
})
_ASSIGNMENT_HINT = ("nền tảng giao bước theo \"Vai trò\" và \"Đơn vị\" của làn (hoặc của "
                    "chính bước), không đọc cách giao việc này")


def check_foreign(doc: Document, process: etree._Element, *,
                  called: bool = False) -> list[Problem]:
    """What ``process`` (sub-processes included) holds that only another engine runs;
    ``called``: the process runs as another's call activity, whose data it then declares."""
    problems: list[Problem] = _borrowed_ids(doc, process)
    for el in process.iter(etree.Element):
        name = local_name(el)
        if name in _DATA_ASSOCIATIONS:
            problems.append(_data_association(doc, el))
        elif name == "ioSpecification" and _declares_data(el):
            owner = el.getparent()
            if owner is not None and (owner is not process or called):
                problems.append(doc.problem(
                    owner,
                    f"{capital(label(owner))} khai báo dữ liệu vào/ra (ioSpecification): khi "
                    "chạy, bộ máy quy trình đòi đúng các dữ liệu này và dừng hồ sơ nếu thiếu. "
                    "Xóa phần khai báo; dữ liệu của hồ sơ và của biểu mẫu được lưu tự động.",
                    line=el.sourceline, rule="unsupported"))
        if name is not None and name != "process":
            problems.extend(_vendor_content(doc, el))
    return problems


def _borrowed_ids(doc: Document, process: etree._Element) -> list[Problem]:
    """Another tool's element carrying the id of one of ours (camunda:formField id="..."):
    SpiffWorkflow indexes every id of a process, whatever its namespace, and would take the
    one for the other (its own message then names neither)."""
    ours = {el.get("id"): el for el in process.iter(bpmn_tag("*")) if el.get("id")}
    problems = []
    for el in process.iter(etree.Element):
        ident = el.get("id")
        if ident in ours and local_name(el) is None:
            owner = next((a for a in el.iterancestors()
                          if local_name(a) is not None and a.get("id")), process)
            problems.append(doc.problem(
                owner,
                f"Phần mở rộng <{_prefixed(el)}> của {label(owner)} có id \"{ident}\" trùng mã "
                f"(id) của {label(ours[ident])}: bộ máy quy trình sẽ nhầm hai phần tử. Đổi "
                f'"Mã (id)" của {label(ours[ident])}, hoặc xóa phần mở rộng.',
                line=el.sourceline, rule="structure"))
    return problems


def check_document(doc: Document, checked: list[etree._Element]) -> list[Problem]:
    """What the whole file says about the ``checked`` processes: message flows touching
    them, and whether each of their elements has a drawing."""
    ids = {el.get("id") for p in checked for el in p.iter(etree.Element) if el.get("id")}
    problems = [
        _ignored(doc, flow, f"{capital(label(flow))} nối sang một bể khác: nền tảng "
                            "không gửi hay nhận thông điệp BPMN, luồng này chỉ để minh họa "
                            "(trong tệp: messageFlow).")
        for flow in doc.root.iter(bpmn_tag("messageFlow"))
        if flow.get("sourceRef") in ids or flow.get("targetRef") in ids
    ]
    return problems + _not_run(doc, checked) + _undrawn(doc, checked)


def _not_run(doc: Document, checked: list[etree._Element]) -> list[Problem]:
    """Pools other than the one that runs, holding what the platform could not run: said
    once, so those elements need not be listed one by one (they never run). A pool drawn
    for the citizen or another agency, with only what could run, goes unmentioned."""
    pools = {p.get("processRef"): p for p in doc.root.iter(bpmn_tag("participant"))}
    return [
        _ignored(doc, pools.get(process.get("id"), process),
                 f"{capital(label(pools.get(process.get('id'), process)))} (quy trình không "
                 "được chọn để thực thi) chỉ để minh họa: nền tảng không chạy các phần tử trong "
                 "đó, kể cả những phần tử nó không hỗ trợ.")
        for process in doc.processes
        if not any(process is p for p in checked) and check_supported(doc, process)
    ]


def _declares_data(spec: etree._Element) -> bool:
    return any(local_name(c) in ("dataInput", "dataOutput") for c in spec)


def _data_association(doc: Document, association: etree._Element) -> Problem:
    owner = association.getparent()
    reading = local_name(association) == "dataInputAssociation"
    refs = association.findall(bpmn_tag("sourceRef" if reading else "targetRef"))
    target = doc.find(refs[0].text.strip() if refs and refs[0].text else None)
    what = (label(target) if target is not None and local_name(target) in _DATA_ELEMENTS
            else "một đối tượng dữ liệu")
    verb = "đọc dữ liệu từ" if reading else "ghi dữ liệu vào"
    subject = capital(label(owner)) if owner is not None else "Phần tử"
    return doc.problem(
        owner if owner is not None else association,
        f"{subject} {verb} {what} theo đường nối dữ liệu ({local_name(association)}): nền "
        "tảng không chuyển dữ liệu theo đường nối, khi chạy bộ máy quy trình sẽ dừng hồ sơ vì "
        "thiếu dữ liệu. Xóa đường nối; dữ liệu của hồ sơ và của biểu mẫu được lưu tự động.",
        line=association.sourceline, rule="unsupported")


def _vendor_content(doc: Document, el: etree._Element) -> Iterator[Problem]:
    """Assignments, forms and behaviour written for another engine, on ``el``."""
    attributes = {etree.QName(a).localname: _prefixed_attribute(el, a) for a in el.attrib
                  if a.startswith("{") and not a.startswith(f"{{{BPMN_NS}}}")}
    extension = el.find(bpmn_tag("extensionElements"))
    foreign = [c for c in (extension if extension is not None else [])
               if isinstance(c.tag, str) and etree.QName(c).namespace not in (BPMN_NS, SPIFF_NS)]
    children = {etree.QName(c).localname: _prefixed(c) for c in foreign}

    def written(attribute_names: frozenset[str], element_names: frozenset[str]) -> list[str]:
        return sorted({*(v for k, v in attributes.items() if k in attribute_names),
                       *(v for k, v in children.items() if k in element_names)})

    assignment = written(_ASSIGNMENT_ATTRIBUTES, _ASSIGNMENT_ELEMENTS)
    assignment += sorted({n for c in el if (n := local_name(c)) in _PERFORMERS})
    if assignment:
        yield _ignored(doc, el, f"{capital(label(el))} giao việc theo cách của công cụ khác "
                                f"({', '.join(assignment)}): {_ASSIGNMENT_HINT}.")
    forms = written(_FORM_ATTRIBUTES, _FORM_ELEMENTS) + sorted({
        name for prop in (extension.iterfind(f"{{{SPIFF_NS}}}properties/{{{SPIFF_NS}}}property")
                          if extension is not None else ())
        if (name := prop.get("name") or "") in _SPIFFARENA_FORM_PROPERTIES})
    if forms:
        yield _ignored(doc, el, f"{capital(label(el))} gắn biểu mẫu của công cụ khác "
                                f"({', '.join(forms)}): chọn \"Biểu mẫu của bước\" trong khung "
                                "thuộc tính để dùng biểu mẫu điện tử của nền tảng.")
    behaviour = written(frozenset(), _BEHAVIOUR_ELEMENTS)
    if behaviour:
        yield _ignored(doc, el, f"{capital(label(el))} có phần mở rộng của công cụ khác "
                                f"({', '.join(behaviour)}): nền tảng không thực hiện chúng "
                                "(chúng được giữ nguyên trong tệp).")


def _prefixed_attribute(el: etree._Element, name: str) -> str:
    qname = etree.QName(name)
    prefix = next((p for p, uri in el.nsmap.items() if uri == qname.namespace and p), None)
    return f"{prefix}:{qname.localname}" if prefix else qname.localname


def _prefixed(el: etree._Element) -> str:
    qname = etree.QName(el)
    return f"{el.prefix}:{qname.localname}" if el.prefix else qname.localname


def _undrawn(doc: Document, checked: list[etree._Element]) -> list[Problem]:
    drawn = {el.get("bpmnElement") for el in doc.root.iter(f"{{{DI_NS}}}BPMNShape",
                                                          f"{{{DI_NS}}}BPMNEdge")}
    if not drawn:
        # A file written without any drawing (by hand, by a script, for the command line)
        # is checked as any other; only a drawing that leaves elements out misleads.
        return []
    return [
        _ignored(doc, el, f"{capital(label(el))} không có hình trên sơ đồ (BPMN DI): trình "
                          "thiết kế không vẽ nên không chọn hay sửa được phần tử này. Xuất lại "
                          "tệp kèm đủ sơ đồ, hoặc vẽ lại phần tử.", rule="no-diagram")
        for process in checked for el in process.iter(etree.Element)
        if local_name(el) in _DRAWN and el.get("id") and el.get("id") not in drawn
    ]


def _ignored(doc: Document, el: etree._Element, message: str, *,
             rule: str = "ignored") -> Problem:
    return doc.problem(el, message, rule=rule, severity=Severity.WARNING)


def expression_hint(expression: etree._Element) -> str:
    """Why an expression does not read, when another engine's language is the reason: a
    designer seeing only "syntax error" on ``${approved}`` would not know what to write."""
    text = "".join(expression.itertext()).strip()
    language = (expression.get("language") or "").strip()
    if text.startswith(("${", "#{")):
        kind = "JUEL của Camunda 7 hoặc Activiti (${...})"
    elif text.startswith("="):
        kind = "FEEL của Camunda 8 (bắt đầu bằng =)"
    elif "feel" in language.lower():
        kind = "FEEL (ngôn ngữ biểu thức của DMN và Camunda 8)"
    elif language and "python" not in language.lower():
        kind = f"ngôn ngữ {language}"
    else:
        return ""
    return (f" Biểu thức viết theo {kind}, không phải biểu thức của nền tảng (kiểu Python, ví "
            'dụ outcome == "dong_y"): chọn lại "Đi theo luồng này" hoặc viết lại biểu thức.')
