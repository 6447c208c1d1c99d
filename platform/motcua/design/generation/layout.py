"""Where a generated process is drawn: lanes as rows, the decision's steps as columns, each
step's gateway right after it, the desk's supplement steps in a second row of its lane, and
loops (send-backs, supplements) routed around the tasks along the lanes' free bands, so the
diagram opens readable in bpmn-js without any automatic layout.

Inside a lane: a top band (the refusal end event), the row of steps, a channel for loops
going back, and for the desk a second row of supplement steps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from motcua.design.generation.plan import Node, Plan, Task

POOL_X, LANE_X = 100, 130
START_X, FIRST_COLUMN, COLUMN = 170, 260, 250
TASK_W, TASK_H, AUX_W = 120, 80, 100
GATEWAY, EVENT = 50, 36
TOP_BAND, CHANNEL, AUX_TOP = 50, 150, 175
LANE_H, LANE_H_AUX = 170, 280


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h


Point = tuple[int, int]


@dataclass
class Layout:
    pool: Box
    lanes: list[Box]
    shapes: dict[str, Box] = field(default_factory=dict)
    edges: dict[str, list[Point]] = field(default_factory=dict)


def column_x(column: int) -> int:
    return FIRST_COLUMN + column * COLUMN


def lay_out(plan: Plan) -> Layout:
    aux_lanes = {t.lane for t in plan.tasks if t.aux}
    columns = max((t.column for t in plan.tasks), default=0) + 1
    width = column_x(columns) + EVENT + 80 - LANE_X
    lanes: list[Box] = []
    top = 60
    for index in range(len(plan.lanes)):
        height = LANE_H_AUX if index in aux_lanes else LANE_H
        lanes.append(Box(LANE_X, top, width, height))
        top += height
    layout = Layout(Box(POOL_X, 60, width + LANE_X - POOL_X, top - 60), lanes)
    for task in plan.tasks:
        layout.shapes[task.id] = _task_box(task, lanes)
    for node in plan.nodes:
        layout.shapes[node.id] = _node_box(node, lanes)
    for index, flow in enumerate(plan.flows):
        source, target = plan.element(flow.source), plan.element(flow.target)
        layout.edges[flow.id] = _route(flow.route, source, target, layout, index)
    return layout


def _task_box(task: Task, lanes: list[Box]) -> Box:
    lane = lanes[task.lane]
    if task.aux:
        # Under the gateway of the step that asked for the supplement.
        gateway_cx = column_x(task.column) + TASK_W + 65
        return Box(gateway_cx - 75, lane.y + AUX_TOP, AUX_W, TASK_H)
    return Box(column_x(task.column), lane.y + TOP_BAND, TASK_W, TASK_H)


def _node_box(node: Node, lanes: list[Box]) -> Box:
    lane = lanes[node.lane]
    row_cy = lane.y + TOP_BAND + TASK_H // 2
    if node.kind == "start":
        return Box(START_X, row_cy - EVENT // 2, EVENT, EVENT)
    if node.kind == "end":
        return Box(column_x(node.column) + 20, row_cy - EVENT // 2, EVENT, EVENT)
    gateway_cx = column_x(node.column) + TASK_W + 65
    if node.kind == "refused":
        return Box(gateway_cx - EVENT // 2, lane.y + 6, EVENT, EVENT)
    return Box(gateway_cx - GATEWAY // 2, row_cy - GATEWAY // 2, GATEWAY, GATEWAY)


def _route(route: str, source: Task | Node, target: Task | Node, layout: Layout,
           index: int) -> list[Point]:
    s, t = layout.shapes[source.id], layout.shapes[target.id]
    if route == "forward":
        if s.cy == t.cy:
            return [(s.right, s.cy), (t.x, t.cy)]
        bend = t.x - 20
        return [(s.right, s.cy), (bend, s.cy), (bend, t.cy), (t.x, t.cy)]
    if route in ("supplement", "refuse"):
        # Straight up or down from the gateway into the step or end event.
        if t.cy > s.cy:
            return [(s.cx, s.bottom), (s.cx, t.y)]
        return [(s.cx, s.y), (s.cx, t.bottom)]
    if route == "resume":
        # From the supplement step's left side back into the step that asked for it.
        if t.cy < s.cy:
            return [(s.x, s.cy), (t.cx, s.cy), (t.cx, t.bottom)]
        return [(s.x, s.cy), (t.cx, s.cy), (t.cx, t.y)]
    # A send-back: along the channel under the earlier step's row (or the band above it when
    # that lane lies lower), alternating a little so two loops never run on one line.
    # It enters the step right of its centre, where no supplement's return comes in.
    lane = layout.lanes[target.lane]
    offset = (index % 2) * 10
    entry = t.cx + 25
    if lane.y > s.cy:
        band = lane.y + TOP_BAND - 25 + offset
        return [(s.cx, s.bottom), (s.cx, band), (entry, band), (entry, t.y)]
    channel = lane.y + CHANNEL + offset
    start = (s.cx, s.bottom) if channel > s.cy else (s.cx, s.y)
    return [start, (s.cx, channel), (entry, channel), (entry, t.bottom)]
