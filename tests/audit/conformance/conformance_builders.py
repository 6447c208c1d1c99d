"""Our own procedure for the conformance rules: the base scenario
(``tests/processes/scenarios/base.bpmn``) and a decision's step table that matches it, for a
test to change one thing in either."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from motcua.processes.models import ProcessVersion
from support.bpmn import BASE
from support.rows import TASK_ROWS, with_rows

CODE = "9.000001"
SIGNING = "000.00.12.H99"  # Sở Tư pháp: the leader's unit in the scenario
# The scenario's own steps, as a decision publishes them: 2 days 4 hours 30 minutes.
STEPS: list[dict[str, Any]] = [
    {"no": 1, "work": "Tiếp nhận hồ sơ", "responsible": "Bộ phận Một cửa", "role": "receiver",
     "unit": "@desk", "time": "4h"},
    {"no": 2, "work": "Phân công", "responsible": "Lãnh đạo phòng", "role": "unit_head",
     "unit": "@handling", "time": "0.5d"},
    {"no": 3, "work": "Thẩm định", "responsible": "Chuyên viên", "role": "specialist",
     "unit": "@handling", "time": "1d4h"},
    {"no": 4, "work": "Ký duyệt", "responsible": "Giám đốc Sở", "role": "leader",
     "unit": SIGNING, "time": "30m"},
    {"no": 5, "work": "Trả kết quả", "responsible": "Bộ phận Một cửa", "role": "receiver",
     "unit": "@desk", "time": "0"},
]


def scenario(rows: dict[str, str] | None = TASK_ROWS) -> bytes:
    """The base scenario signed in the sample's Sở Tư pháp, each task with its row (none at
    all with ``rows=None``)."""
    text = BASE.replace("000.00.12.H42", SIGNING)
    return (with_rows(text, rows) if rows else text).encode("utf-8")


def entry(code: str = CODE, action: str = "new", steps: list[dict[str, Any]] | None = None,
          **changes: Any) -> dict[str, Any]:
    return {"action": action, "code": code, "name": f"Thủ tục kiểm thử {code}",
            "agency": SIGNING, "handling_unit": "000.12.12.H99", "time_limit": "3d",
            "steps": STEPS if steps is None else steps, **changes}


# The fixtures' factories (conftest.py).
Decide = Callable[..., None]
Publish = Callable[..., ProcessVersion]
