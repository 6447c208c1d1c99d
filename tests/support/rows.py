"""The base scenario tied to a decision's step table: the rows a decision publishes for its
steps, and ``row`` written on each task (for the legal checks and the messages about them)."""

from __future__ import annotations

import re

from motcua.processes.checks import DecisionRow
from support.bpmn import BASE

# The base scenario's steps as a decision would publish them: 2d4h30m in all.
ROWS = (
    DecisionRow("1", "Tiếp nhận hồ sơ", "receiver", "@desk", 240),
    DecisionRow("2", "Phân công", "unit_head", "@handling", 240),
    DecisionRow("3", "Thẩm định", "specialist", "@handling", 720),
    DecisionRow("4", "Ký duyệt", "leader", "000.00.12.H42", 30),
    DecisionRow("5", "Trả kết quả", "receiver", "@desk", 0),
)
TASK_ROWS = {"Task_Receive": "1", "Task_Assign": "2", "Task_Examine": "3", "Task_Sign": "4",
             "Task_Return": "5"}


def with_rows(text: str, rows: dict[str, str]) -> str:
    """Adds ``row`` to the properties of each task named in ``rows``."""
    for task, row in rows.items():
        pattern = re.compile(rf'(<bpmn:userTask id="{task}"[^>]*>\s*<bpmn:extensionElements>\s*'
                             r"<spiffworkflow:properties>)")
        text, count = pattern.subn(
            rf'\1<spiffworkflow:property name="row" value="{row}"/>', text)
        assert count == 1, task
    return text


BASE_ROWS = with_rows(BASE, TASK_ROWS)
