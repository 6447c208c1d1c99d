"""The shape of a generated process, before any XML: lanes, tasks, gateways, events, flows.

What a step does is chosen by its role and its place in the table, never by its wording
(bpmn-dialect.md, *What an outcome means*): the first desk step receives the dossier
(accept, supplement, refuse), a specialist examines (propose, supplement), a unit head before
the examination assigns a specialist, after it reviews (agree, send back), a leader approves
(agree, send back), the last clerk step issues the result and the last desk step returns it.
A supplement request leads to a desk step that receives the supplement and comes back to the
step that asked; a send-back returns to the step before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from motcua.processes.meanings import Meaning

DESK = ("receiver", "@desk")


@dataclass
class Lane:
    id: str
    name: str
    role: str | None
    unit: str | None


@dataclass
class Outcome:
    key: str
    meaning: Meaning
    label: str

    @property
    def written(self) -> str:
        return f"{self.key}:{self.meaning.value}={self.label}"


@dataclass
class Task:
    id: str
    name: str
    lane: int
    kind: str
    column: int
    row: str | None = None
    allotted: str = "0"
    form: str | None = None
    outcomes: list[Outcome] = field(default_factory=list)
    document: str | None = None
    reason_field: str | None = None
    missing_field: str | None = None
    assignee_field: str | None = None
    # The role the assignment picks a person for (the next step's).
    assignee_role: str | None = None
    # Drawn in the lane's second row (the desk's supplement steps).
    aux: bool = False


@dataclass
class Node:
    """A gateway or an event."""

    id: str
    name: str
    kind: str  # gateway, start, end, refused
    lane: int
    column: int


@dataclass
class Flow:
    id: str
    source: str
    target: str
    route: str  # forward, supplement, resume, back, refuse
    name: str | None = None
    condition: str | None = None


@dataclass
class Plan:
    lanes: list[Lane] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)

    def element(self, element_id: str) -> Task | Node:
        for task in self.tasks:
            if task.id == element_id:
                return task
        for node in self.nodes:
            if node.id == element_id:
                return node
        raise KeyError(element_id)


RECEPTION = [Outcome("accept", Meaning.ACCEPT, "Tiếp nhận"),
             Outcome("supplement", Meaning.SUPPLEMENT, "Yêu cầu bổ sung"),
             Outcome("refuse", Meaning.REFUSE, "Từ chối tiếp nhận")]
EXAMINATION = [Outcome("propose", Meaning.FORWARD, "Đề xuất giải quyết"),
               Outcome("supplement", Meaning.SUPPLEMENT, "Yêu cầu bổ sung")]
# Labels on the gateways' flows; the refusal's end event says "Từ chối" itself, and the
# gateways stay unnamed, so no two labels fall on one spot.
FLOW_NAMES = {Meaning.ACCEPT: "Tiếp nhận", Meaning.SUPPLEMENT: "Bổ sung",
              Meaning.REFUSE: None, Meaning.BACK: "Trả lại", Meaning.FORWARD: None}


def kinds(roles: list[str | None]) -> list[str]:
    """What each step does, from the roles in table order."""
    last = len(roles) - 1
    clerks = [i for i, r in enumerate(roles) if r == "clerk"]
    found: list[str] = []
    for i, role in enumerate(roles):
        before = roles[i - 1] if i > 0 else None
        after = roles[i + 1] if i < last else None
        if role == "receiver" and i == 0:
            kind = "reception"
        elif role == "receiver" and i == last:
            kind = "return"
        elif role == "specialist":
            kind = "examination"
        elif role == "unit_head" and after == "specialist" and before != "specialist":
            kind = "assignment"
        elif role == "unit_head":
            kind = "review"
        elif role == "leader":
            kind = "approval"
        elif role == "clerk" and i == clerks[-1]:
            kind = "issue"
        else:
            kind = "step"
        # A send-back goes to the step before, within the agency: not to the reception.
        if kind in ("review", "approval") and (i == 0 or found[i - 1] == "reception"):
            kind = "step"
        found.append(kind)
    return found


def ident(number: Any, used: set[str], prefix: str = "Task_") -> str:
    base = prefix + "".join(c if c.isalnum() else "_" for c in str(number))
    candidate, n = base, 1
    while candidate in used:
        n += 1
        candidate = f"{base}_{n}"
    used.add(candidate)
    return candidate


def outcomes_for(kind: str, previous_row: str | None) -> list[Outcome]:
    if kind == "reception":
        return list(RECEPTION)
    if kind == "examination":
        return list(EXAMINATION)
    back = Outcome("back", Meaning.BACK,
                   f"Trả lại bước {previous_row}" if previous_row else "Trả lại bước trước")
    if kind == "review":
        return [Outcome("agree", Meaning.FORWARD, "Đồng ý, trình ký"), back]
    if kind == "approval":
        return [Outcome("approve", Meaning.FORWARD, "Phê duyệt"), back]
    return []


def link(plan: Plan, source: str, target: str, route: str, outcome: Outcome | None = None
         ) -> None:
    suffix = f"_{outcome.key}" if outcome is not None else ""
    plan.flows.append(Flow(
        id=f"Flow_{source}{suffix}", source=source, target=target, route=route,
        name=FLOW_NAMES[outcome.meaning] if outcome is not None else None,
        condition=f'outcome == "{outcome.key}"' if outcome is not None else None))


def connect(plan: Plan, desk_lane: int) -> None:
    """Gateways, supplement steps, ends and every flow between the tasks laid in order."""
    main = list(plan.tasks)
    plan.nodes.append(Node("StartEvent_Submit", "Nộp hồ sơ", "start", main[0].lane, -1))
    end = Node("EndEvent_Done", "Hoàn thành", "end", main[-1].lane, len(main))
    refused: Node | None = None
    link(plan, "StartEvent_Submit", main[0].id, "forward")
    for i, task in enumerate(main):
        following = main[i + 1].id if i + 1 < len(main) else end.id
        if not task.outcomes:
            link(plan, task.id, following, "forward")
            continue
        # Named after its task, whose id is unique already.
        gateway = Node(task.id.replace("Task_", "Gateway_", 1), "", "gateway", task.lane,
                       task.column)
        plan.nodes.append(gateway)
        link(plan, task.id, gateway.id, "forward")
        for outcome in task.outcomes:
            if outcome.meaning is Meaning.SUPPLEMENT:
                receiver = Task(id=f"{task.id}_BoSung", name="Nhận hồ sơ bổ sung", lane=desk_lane,
                                kind="supplement", column=task.column, form="nhan-bo-sung",
                                document="supplement", aux=True)
                if task.row:
                    receiver.name = f"Nhận hồ sơ bổ sung (bước {task.row})"
                plan.tasks.append(receiver)
                link(plan, gateway.id, receiver.id, "supplement", outcome)
                link(plan, receiver.id, task.id, "resume")
            elif outcome.meaning is Meaning.REFUSE:
                if refused is None:
                    refused = Node("EndEvent_Refused", "Từ chối", "refused", task.lane,
                                   task.column)
                    plan.nodes.append(refused)
                link(plan, gateway.id, refused.id, "refuse", outcome)
            elif outcome.meaning is Meaning.BACK:
                link(plan, gateway.id, main[i - 1].id, "back", outcome)
            else:
                link(plan, gateway.id, following, "forward", outcome)
    plan.nodes.append(end)
