"""A test run of a draft: the real checks, the real engine (SpiffWorkflow through
``engine.runtime.Runtime``, with the safe expression engine) and the real working-time
calendar, on a dossier that exists only in memory. Nothing is written: no dossier, task,
document or history row, and the draft itself is left as it is.

Time: the run starts at ``start`` (default the platform clock's now). Each task opens when
the step before it finishes, and takes its whole allotted time (a step without one takes
none), so every due time is the latest the step may finish on time and the end is the
latest on-time finish. Of tasks open at once (parallel branches) the one due first
finishes first. The engine's own clock stays at the start: timers never fire in a test run
(every step finishes on time) and ``today()``/``now()`` in conditions read the start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task as SpiffTask

from motcua.calendar.operations import load_calendar
from motcua.calendar.working_time import TZ, WorkingCalendar
from motcua.design.models import ProcessDraft
from motcua.design.operations import check_result
from motcua.design.simulation.ledger import Ledger, Visit
from motcua.design.simulation.places import Place, Places, places_for
from motcua.design.simulation.trail import Trail, flow_index, trail_of
from motcua.dossiers.flow import ENGINE_ERRORS, engine_failure
from motcua.engine.runtime import (
    Runtime,
    SpecBundle,
    adopt_timers,
    ready_user_tasks,
    waiting_timers,
)
from motcua.errors import Invalid
from motcua.processes.checks import CheckResult, StepConfig
from motcua.processes.checks.problems import errors
from motcua.processes.checks.words import ROLE_WORDS
from motcua.processes.checks.xml_safety import parse_xml
from motcua.processes.meanings import Meaning

# A loop of send-backs chosen again and again must end: a real dossier has never needed
# anywhere near this many tasks.
MAX_VISITS = 200


@dataclass(frozen=True)
class Request:
    choices: Mapping[str, Sequence[str]] = field(default_factory=dict)
    data: Mapping[str, Any] = field(default_factory=dict)
    start: datetime | None = None
    online: bool = False
    desk: str | None = None


@dataclass
class Step:
    """One task on the path, as the answer shows it."""

    visit: Visit
    place: Place
    # The officers whose worklist would show the task (full names); none is a finding.
    receivers: list[str] = field(default_factory=list)


@dataclass
class Simulation:
    start: datetime
    path: list[Step]
    status: str
    ended: bool
    # The appointment in force at the end (None while the clock is stopped or unlimited).
    due_at: datetime | None
    trail: Trail
    # Tasks still open where the run stopped (ended is then false).
    open_steps: list[Step]
    # Timers the dossier waits on where the run stopped (BPMN id, name): none fires here.
    waiting: list[tuple[str, str]]
    notes: list[str]
    truncated: bool
    # The steps' outcomes for the panel's pick lists: element id -> step config.
    steps: dict[str, StepConfig]


def runnable(draft: ProcessDraft) -> CheckResult:
    """The draft's check, as publishing runs it; a draft with an error never runs."""
    result = check_result(draft)
    found = errors(result.problems)
    if found or result.spec is None:
        raise Invalid(f"Bản nháp còn {len(found)} lỗi, chưa chạy thử được: sửa các lỗi được "
                      "liệt kê rồi chạy lại", [p.as_dict() for p in found])
    return result


def check_choices(steps: Mapping[str, StepConfig], choices: Mapping[str, Sequence[str]]) -> None:
    """Every chosen key must be an outcome of its step: refused (422) naming each one."""
    problems = []
    for element, keys in choices.items():
        step = steps.get(element)
        if step is None:
            problems.append({"field": f"choices.{element}", "element_id": element,
                             "message": f"Không có bước {element} trong quy trình"})
            continue
        for i, key in enumerate(keys):
            if step.outcome(key) is None:
                allowed = ", ".join(step.outcome_keys) or "bước này không có kết quả để chọn"
                problems.append({"field": f"choices.{element}.{i}", "element_id": element,
                                 "message": f'Bước "{step.name}" không có kết quả "{key}" '
                                            f"(chọn một trong: {allowed})"})
    if problems:
        raise Invalid("Lựa chọn kết quả không hợp lệ", problems)


def simulate(draft: ProcessDraft, request: Request, now: datetime) -> Simulation:
    result = runnable(draft)
    check_choices(result.steps, request.choices)
    start = request.start or now
    places = places_for(draft.procedure, start, request.desk)
    bundle = adopt_timers(SpecBundle(result.spec, result.subprocess_specs))
    flows = flow_index(parse_xml(draft.bpmn_xml.encode("utf-8"), draft.filename).getroot())
    return _Run(result.steps, places, load_calendar(), start, request).go(bundle, flows)


class _Run:
    def __init__(self, steps: dict[str, StepConfig], places: Places,
                 calendar: WorkingCalendar, start: datetime, request: Request) -> None:
        self.steps, self.places, self.calendar = steps, places, calendar
        self.start, self.request = start, request
        self.queues = {k: list(v) for k, v in request.choices.items()}
        self.ledger = Ledger(calendar, places.time_limit_minutes,
                             any(Meaning.SUPPLEMENT in s.meanings for s in steps.values()))
        # The moment the step being completed finishes: the start of what it opens.
        self.now = start
        self.open: dict[str, Visit] = {}
        self.path: list[Step] = []
        self.notes: list[str] = []
        self._seq = 0
        # Timers armed on the way (BPMN id -> name): none fires in a test run.
        self.timers: dict[str, str] = {}

    def step_due(self, task: SpiffTask) -> datetime | None:
        """As ``dossiers.flow.bind_runtime``: the task's due from the moment it opened,
        kept on the engine task so a boundary timer and the task agree."""
        cached = task.internal_data.get("motcua_due")
        if cached:
            return datetime.fromisoformat(cached)
        step = self.steps.get(task.task_spec.bpmn_id or "")
        minutes = step.allotted_minutes if step else 0
        if not minutes:
            return None
        due = self.calendar.add(self.now, minutes)
        task.internal_data["motcua_due"] = due.isoformat()
        return due

    def go(self, bundle: SpecBundle, flows: dict[tuple[str, str], list[str]]) -> Simulation:
        runtime = Runtime(bundle, clock=lambda: self.start, step_due=self.step_due,
                          dossier_due=lambda: self.ledger.due_at)
        online = self.request.online
        self.ledger.receive(self.start, online)
        data = {**self.request.data,
                "dossier": {"code": "", "channel": "online" if online else "direct"}}
        try:
            workflow = runtime.start(data)
            self._sync(workflow, None)
            truncated = self._advance(runtime, workflow)
        except ENGINE_ERRORS as exc:
            raise engine_failure(exc) from exc
        ended = workflow.is_completed()
        waiting = [(t.task_spec.bpmn_id or "", t.task_spec.bpmn_name or t.task_spec.bpmn_id or "")
                   for t in waiting_timers(workflow)]
        self._explain(ended, truncated, bool(waiting))
        return Simulation(
            start=self.start, path=self.path, status=self.ledger.status, ended=ended,
            due_at=self.ledger.due_at, trail=trail_of(workflow, flows),
            open_steps=[self._step(v) for v in self.open.values()], waiting=waiting,
            notes=self.notes,
            truncated=truncated, steps=self.steps)

    def _advance(self, runtime: Runtime, workflow: BpmnWorkflow) -> bool:
        """Complete tasks until the end, a wait or the bound; True when the bound stopped it."""
        while self.open:
            if len(self.path) >= MAX_VISITS:
                return True
            task_id, visit = min(self.open.items(), key=lambda item: (item[1].finish,
                                                                      item[1].seq))
            self.now = visit.finished_at = visit.finish
            key = self._choose(visit.step)
            outcome = visit.step.outcome(key)
            visit.outcome = key
            visit.meaning = outcome.meaning if outcome else Meaning.FORWARD
            self.path.append(self._step(visit))
            del self.open[task_id]
            runtime.complete(workflow, UUID(task_id), {"outcome": key})
            self._sync(workflow, visit)
        return False

    def _choose(self, step: StepConfig) -> str | None:
        queue = self.queues.get(step.element_id)
        if queue:
            return queue.pop(0)
        return step.outcomes[0].key if step.outcomes else None

    def _sync(self, workflow: BpmnWorkflow, completed: Visit | None) -> None:
        """As ``dossiers.flow.sync``: tasks no longer ready are cancelled, new ones open."""
        ready = {str(t.id): t for t in ready_user_tasks(workflow)}
        for timer in waiting_timers(workflow):
            spec = timer.task_spec
            self.timers.setdefault(spec.bpmn_id or "", spec.bpmn_name or spec.bpmn_id or "")
        for task_id in [t for t in self.open if t not in ready]:
            del self.open[task_id]
        created = []
        for task_id, task in ready.items():
            if task_id in self.open:
                continue
            step = self.steps.get(task.task_spec.bpmn_id or "")
            if step is None:
                raise Invalid(f"Bước {task.task_spec.bpmn_id} không có cấu hình vai trò")
            visit = Visit(seq=self._next_seq(), step=step, started_at=self.now,
                          due_at=self.step_due(task))
            self.ledger.opened(visit, completed.meaning if completed else None)
            self.open[task_id] = visit
            created.append(visit)
        if completed is not None:
            self.ledger.completed(completed, created, list(self.open.values()),
                                  workflow.is_completed())

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _step(self, visit: Visit) -> Step:
        step = visit.step
        return Step(visit, self.places.place(step.unit),
                    self.places.receivers(step.role, step.unit))

    def _explain(self, ended: bool, truncated: bool, waiting: bool) -> None:
        if truncated:
            self.notes.append(f"Đã dừng chạy thử sau {MAX_VISITS} bước: với các lựa chọn này "
                              "hồ sơ có thể quay vòng mãi, hãy chọn kết quả khác ở bước lặp lại")
        if self.timers:
            names = ", ".join(f"\u201c{name}\u201d" for name in self.timers.values())
            self.notes.append(f"Hẹn giờ không kích hoạt khi chạy thử (mỗi bước xong đúng hạn): "
                              f"{names}")
        last = max((s.visit.finished_at for s in self.path if s.visit.finished_at),
                   default=None)
        due = self.ledger.due_at
        if last is not None and due is not None and last > due:
            self.notes.append(f"Với các lựa chọn này, bước cuối xong lúc {_local(last)}: sau "
                              f"ngày hẹn trả kết quả {_local(due)} (quá hạn)")
        self._unreceived()
        if not ended and not truncated and not self.open and not waiting:
            self.notes.append("Hồ sơ dừng lại: không còn bước nào để làm và chưa tới sự kiện "
                              "kết thúc")


    def _unreceived(self) -> None:
        """A step nobody's worklist would show: said once per role and unit."""
        said = set()
        for step in self.path:
            config = step.visit.step
            if step.receivers or (config.role, config.unit) in said:
                continue
            said.add((config.role, config.unit))
            self.notes.append(
                f"Không có cán bộ nào giữ vai trò \u201c{ROLE_WORDS.get(config.role, config.role)}"
                f"\u201d tại {step.place.unit_name}: bước \u201c{config.name}\u201d sẽ không ai "
                "nhận. Thêm cán bộ cho đơn vị đó, hoặc chọn lại vai trò, đơn vị của làn")


def _local(at: datetime) -> str:
    return at.astimezone(TZ).strftime("%H:%M %d/%m/%Y")
