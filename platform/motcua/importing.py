"""What an import reports: created, updated and unchanged records per kind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from motcua.errors import Invalid


@dataclass
class ImportReport:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)

    def count(self, kind: str, outcome: str) -> None:
        getattr(self, outcome)[kind] += 1

    def as_dict(self) -> dict[str, Any]:
        return {"created": dict(self.created), "updated": dict(self.updated),
                "unchanged": dict(self.unchanged)}

    def summary(self) -> str:
        def part(label: str, counts: Counter[str]) -> str:
            return f"{label}: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                                   or "0")

        return "; ".join([part("tạo mới", self.created), part("cập nhật", self.updated),
                          part("giữ nguyên", self.unchanged)])


class ImportProblems(Invalid):
    """Nothing was written; ``details`` lists every problem with its JSON path."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__(f"Tệp có {len(problems)} lỗi, chưa ghi gì vào cơ sở dữ liệu", problems)


def set_if_changed(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed
