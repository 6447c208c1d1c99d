"""Upload-time validation of a BPMN process in the platform's dialect, with its e-forms.

:func:`check_process` turns every finding into a :class:`Problem` (Vietnamese, with element
id and line) and reports all of them at once; it never raises for bad input. Only a process
without problems is handed to SpiffWorkflow's parser, whose spec is returned for the engine.

Checks, in order: XML safety and well-formedness; the BPMN 2.0 + SpiffWorkflow XSDs; the
structure (one executable process, a start event, ids); the dialect (roles, units, forms,
durations, outcomes, documents); expressions, scripts and timers; gateways and outcomes;
elements the platform cannot execute and call activities; SpiffWorkflow's own parser.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from lxml import etree

from motcua.processes.checks import xsd
from motcua.processes.checks.dialect import CallbackFailed, DialectChecker, StepConfig
from motcua.processes.checks.document import BPMN_NS, Document, bpmn_tag, label
from motcua.processes.checks.flows import FlowChecker
from motcua.processes.checks.foreign import check_document, check_foreign
from motcua.processes.checks.forms import schema_problems
from motcua.processes.checks.legal import ProcedureContext, check_legal
from motcua.processes.checks.problems import Problem, errors, with_rule
from motcua.processes.checks.shape import check_graph
from motcua.processes.checks.structure import (
    Library,
    check_ids,
    check_start_events,
    check_supported,
    resolve_calls,
    select_process,
)
from motcua.processes.checks.words import AgencyName, capital
from motcua.processes.checks.xml_safety import XmlRejected, parse_xml

logger = logging.getLogger(__name__)


@dataclass
class CheckResult:
    problems: list[Problem]
    process_id: str | None
    process_name: str | None
    steps: dict[str, StepConfig]
    start_form: str | None
    # element id -> {"expression": str, "attached_to": task id | None, "interrupting": bool}
    timers: dict[str, dict[str, Any]]
    spec: Any = None  # SpiffWorkflow BpmnProcessSpec, only when there is no problem
    subprocess_specs: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return errors(self.problems)

    @property
    def ok(self) -> bool:
        """No error: the process may be uploaded and published (warnings block nothing)."""
        return not self.errors


def check_process(
    bpmn: bytes,
    filename: str,
    forms: Mapping[str, Mapping[str, Any]],
    *,
    library: Sequence[tuple[str, bytes]] = (),
    agency_exists: Callable[[str], bool] | None = None,
    procedure: ProcedureContext | None = None,
    agency_name: AgencyName | None = None,
) -> CheckResult:
    """Validate ``bpmn`` with its ``forms`` (key -> {"schema", "ui"}) and extract the dialect.

    ``library`` holds other BPMN files (name, bytes) whose processes call activities may
    reach. ``agency_exists`` confirms explicit agency codes used as units; its own errors
    propagate, everything wrong with the upload is reported in ``problems``. With
    ``procedure``, the process is also checked against its time limit and step table;
    ``agency_name`` (code -> name or None) names explicit units in those messages, as the
    modeler's pick list does, instead of their codes.
    """
    result = CheckResult([], None, None, {}, None, {})
    names = _cached(agency_name) if agency_name is not None else None
    try:
        _check(result, bpmn, filename, forms, library, agency_exists, procedure, names)
    except CallbackFailed as exc:
        raise exc.error from None
    except Exception:
        # The promise is a report, never a crash: a bug here must not turn an upload into a
        # server error, but it must be visible in the logs.
        logger.exception("checking BPMN file %s failed", filename)
        result.problems.append(
            Problem(
                "Lỗi nội bộ khi kiểm tra quy trình: hãy gửi tệp này cho quản trị hệ thống.",
                file=filename,
                rule="internal",
            )
        )
    result.problems = list(dict.fromkeys(result.problems))
    if not result.ok:
        result.spec, result.subprocess_specs = None, {}
    return result


def _cached(agency_name: AgencyName) -> AgencyName:
    """One look-up per code per check; the caller's own failure is not the upload's."""
    found: dict[str, str | None] = {}

    def name(code: str) -> str | None:
        if code not in found:
            try:
                found[code] = agency_name(code)
            except Exception as exc:
                raise CallbackFailed(exc) from exc
        return found[code]

    return name


def _check(
    result: CheckResult,
    bpmn: bytes,
    filename: str,
    forms: Mapping[str, Mapping[str, Any]],
    library: Sequence[tuple[str, bytes]],
    agency_exists: Callable[[str], bool] | None,
    procedure: ProcedureContext | None = None,
    agency_name: AgencyName | None = None,
) -> None:
    problems = result.problems
    try:
        doc = Document(parse_xml(bpmn, filename), filename)
    except XmlRejected as exc:
        problems.append(replace(exc.problem, rule=exc.problem.rule or "xml"))
        return
    if doc.root.tag != bpmn_tag("definitions"):
        problems.append(
            doc.problem(
                doc.root,
                f"Phần tử gốc của tệp là <{etree.QName(doc.root).localname}>, không phải "
                f"bpmn:definitions (không gian tên {BPMN_NS}): đây không phải tệp BPMN 2.0. "
                "Hãy xuất tệp BPMN 2.0 XML từ trình thiết kế quy trình.",
                rule="xml",
            )
        )
        return
    problems.extend(with_rule(xsd.validate(doc), "xsd"))

    # Structure: which process runs, ids, start event, what call activities reach.
    structure: list[Problem] = []
    structure.extend(check_ids(doc))
    selection = select_process(doc)
    structure.extend(selection.problems)
    chosen = selection.process
    if chosen is not None:
        result.process_id = chosen.get("id")
        result.process_name = (chosen.get("name") or "").strip() or None
        structure.extend(check_start_events(doc, chosen))
    calls = resolve_calls(doc, selection.checked, Library(library, filename))
    library_docs = [d for d in calls.library_docs if d is not doc]
    for lib_doc in library_docs:
        problems.extend(with_rule(xsd.validate(lib_doc), "xsd"))
        structure.extend(check_ids(lib_doc))
    structure.extend(calls.problems)
    structure.extend(_process_id_conflicts(doc, library_docs))
    problems.extend(with_rule(structure, "structure"))
    checked = [(doc, p) for p in selection.checked] + calls.processes

    # Dialect, then what the engine will evaluate.
    dialect = DialectChecker(forms, agency_exists)
    steps_by_process = []
    for process_doc, process in checked:
        steps = dialect.steps(process_doc, process)
        steps_by_process.append(steps)
        for step in steps.values():
            _add_step(result, process_doc, step)
    if chosen is not None:
        result.start_form = dialect.start_form(doc, chosen)
    problems.extend(with_rule(dialect.problems, "dialect"))
    for key in dialect.referenced_forms:
        problems.extend(with_rule(schema_problems(key, forms[key]), "form"))
    for (process_doc, process), steps in zip(checked, steps_by_process, strict=True):
        flows = FlowChecker(process_doc, steps)
        flows.check(process)
        problems.extend(with_rule(flows.problems, "flow"))
        result.timers.update(flows.timers)

    for process_doc, process in checked:
        problems.extend(with_rule(check_supported(process_doc, process), "unsupported"))
        problems.extend(check_foreign(process_doc, process,
                                      called=(process_doc, process) in calls.processes))
        problems.extend(check_graph(process_doc, process))
    problems.extend(check_document(doc, [p for d, p in checked if d is doc]))
    if procedure is not None and chosen is not None:
        called = {p.get("id") or "": p for _, p in calls.processes}
        problems.extend(check_legal(doc, chosen, result.steps, procedure, called, agency_name))

    if errors(problems) or result.process_id is None:
        return
    _parse_with_spiff(result, doc, library_docs)


def _add_step(result: CheckResult, doc: Document, step: StepConfig) -> None:
    other = result.steps.get(step.element_id)
    if other is not None:
        result.problems.append(
            Problem(
                f'Bước "{step.name}" trùng mã (id) "{step.element_id}" với bước "{other.name}" '
                f'của một quy trình con (dòng {other.line}): đổi "Mã (id)" của một trong hai '
                "bước.",
                element_id=step.element_id,
                line=step.line,
                file=doc.filename,
                rule="structure",
            )
        )
        return
    result.steps[step.element_id] = step


def _process_id_conflicts(doc: Document, library_docs: list[Document]) -> list[Problem]:
    """SpiffWorkflow refuses two processes with one id among the documents it is given."""
    problems = []
    owner = {p.get("id"): doc for p in doc.processes}
    for lib_doc in library_docs:
        for process in lib_doc.processes:
            first = owner.setdefault(process.get("id"), lib_doc)
            if first is not lib_doc:
                problems.append(
                    lib_doc.problem(
                        process,
                        f"{capital(label(process))} trong {lib_doc.filename} trùng mã (id) với "
                        f"một quy trình trong {first.filename}: đổi mã của một trong hai quy "
                        "trình.",
                    )
                )
    return problems


def _parse_with_spiff(result: CheckResult, doc: Document, library_docs: list[Document]) -> None:
    from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
    from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

    assert result.process_id is not None
    docs = {d.filename: d for d in (doc, *library_docs)}
    try:
        parser = SpiffBpmnParser()
        for lib_doc in library_docs:
            parser.add_bpmn_xml(lib_doc.tree, filename=lib_doc.filename)
        parser.add_bpmn_xml(doc.tree, filename=doc.filename)
        spec = parser.get_spec(result.process_id)
        subprocess_specs = parser.get_subprocess_specs(result.process_id)
    except ValidationException as exc:
        source = docs.get(exc.file_name or "", doc)
        element_id = exc.id or None
        line = exc.line_number if isinstance(exc.line_number, int) and exc.line_number > 0 else None
        if line is None and (el := source.find(element_id)) is not None:
            line = el.sourceline
        result.problems.append(
            Problem(
                f"Bộ máy quy trình (SpiffWorkflow) không nhận quy trình: "
                f"{str(exc).strip().rstrip('.')}. Sửa phần tử được chỉ ra rồi tải lại.",
                element_id=element_id,
                line=line,
                file=source.filename,
                rule="engine",
            )
        )
        return
    except Exception as exc:
        logger.info("SpiffWorkflow refused %s", doc.filename, exc_info=True)
        result.problems.append(
            Problem(
                "Bộ máy quy trình (SpiffWorkflow) không đọc được quy trình: "
                f"{str(exc).strip().rstrip('.')}.",
                file=doc.filename,
                rule="engine",
            )
        )
        return
    result.spec = spec
    result.subprocess_specs = subprocess_specs
