"""Two snapshots side by side: steps, lanes, flows, other nodes and the process itself
(forms: ``forms.py``). Matching is explained in the package's docstring."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any, TypeVar

from motcua.design.diffs import words
from motcua.design.diffs.forms import compare_forms
from motcua.design.diffs.snapshot import Change, Snapshot
from motcua.processes.checks.dialect import StepConfig
from motcua.processes.checks.legal import row_key
from motcua.processes.checks.words import AgencyName, capital
from motcua.processes.meanings import Outcome

T = TypeVar("T")


def pair(old: Mapping[str, T], new: Mapping[str, T],
         *keys: Callable[[T], Hashable | None]) -> dict[str, str]:
    """Old id -> new id: the same id, then for each of ``keys`` in turn, the one element left
    on each side with the same (non-empty) key."""
    matched = {ident: ident for ident in old if ident in new}
    for key in keys:
        left = _unique(((i, key(v)) for i, v in old.items() if i not in matched))
        taken = set(matched.values())
        right = _unique(((i, key(v)) for i, v in new.items() if i not in taken))
        for value, ident in left.items():
            if value in right:
                matched[ident] = right[value]
    return matched


def _unique(items: Iterable[tuple[str, Hashable | None]]) -> dict[Hashable, str]:
    seen: dict[Hashable, str | None] = {}
    for ident, value in items:
        if value is None or value == "":
            continue
        seen[value] = None if value in seen else ident
    return {v: i for v, i in seen.items() if i is not None}


class Comparison:
    def __init__(self, old: Snapshot, new: Snapshot, agency_name: AgencyName | None) -> None:
        self.old, self.new = old, new
        self.agency_name = agency_name
        self.changes: list[Change] = []
        self.ids: dict[str, str] = {}
        # Lanes are paired first: a step's lane is compared through the pairing (a lane whose
        # id changed, keeping its name, still holds the same steps).
        self.lane_ids = pair(old.lanes, new.lanes, lambda lane: lane.name)
        # New id -> old id of whatever was paired under another id, so its changes are also
        # marked on the older diagram.
        self.renamed: dict[str, str] = {}

    def run(self) -> list[Change]:
        self.process()
        self.steps()
        self.lanes()
        self.nodes()
        self.flows()
        self.changes.extend(compare_forms(self.old, self.new))
        return self.changes

    # ------------------------------------------------------------------ helpers

    def _field(self, element_id: str | None, element_kind: str, label: str, field: str,
               caption: str, old: Any, new: Any, kind: str = "changed",
               text: str | None = None) -> None:
        """One changed value; ``field`` names it in the answer, ``caption`` to the reader."""
        short = field.rsplit(".", 1)[-1]
        message = text or words.changed(label, caption,
                                        words.value_text(short, old, self.agency_name),
                                        words.value_text(short, new, self.agency_name))
        self.changes.append(Change(element_id, kind, element_kind, self._name(element_id),
                                   message, field=field, old=old, new=new,
                                   old_element_id=self.renamed.get(element_id or "")))

    def _paired(self, matched: Mapping[str, str]) -> None:
        self.renamed.update({after: before for before, after in matched.items()
                             if before != after})

    def _name(self, ident: str | None) -> str:
        side = self.new if self.new.has(ident) else self.old
        return side.label(ident)

    def _whole(self, kind: str, element_kind: str, ident: str, side: Snapshot) -> None:
        what = side.label(ident)
        self.changes.append(Change(ident, kind, element_kind, what,
                                   words.added(what) if kind == "added" else words.removed(what)))

    def _added_removed(self, element_kind: str, old: Mapping[str, Any],
                       new: Mapping[str, Any], matched: Mapping[str, str]) -> None:
        for ident in old:
            if ident not in matched:
                self._whole("removed", element_kind, ident, self.old)
        taken = set(matched.values())
        for ident in new:
            if ident not in taken:
                self._whole("added", element_kind, ident, self.new)

    # ------------------------------------------------------------------ process

    def process(self) -> None:
        old, new = self.old, self.new
        ident = new.process_id or old.process_id
        for field, caption in words.PROCESS_FIELDS.items():
            a, b = getattr(old, field), getattr(new, field)
            if a != b:
                self._field(ident, "process", "quy trình", field, caption, a, b)

    # ------------------------------------------------------------------ steps

    def steps(self) -> None:
        old, new = self.old.steps, self.new.steps
        matched = pair(old, new, lambda s: row_key(s.row) if s.row else None,
                       lambda s: s.name)
        self.ids.update(matched)
        self._paired(matched)
        self._added_removed("step", old, new, matched)
        for before, after in matched.items():
            self._step(old[before], new[after])

    def _step(self, a: StepConfig, b: StepConfig) -> None:
        ident, label = b.element_id, self.new.label(b.element_id)
        if a.element_id != b.element_id:
            why = (f" (cùng bước {b.row} của quyết định)" if a.row and b.row
                   and row_key(a.row) == row_key(b.row) else " (cùng tên)")
            self.changes.append(Change(
                ident, "changed", "step", label,
                f'{capital(label)} đổi mã (id) từ "{a.element_id}" thành "{b.element_id}"'
                f"{why}: vẫn là một bước.", field="id", old=a.element_id, new=b.element_id,
                old_element_id=a.element_id))
        values = {"name": (a.name, b.name), "role": (a.role, b.role),
                  "unit": (a.unit, b.unit), "lane": (a.lane, b.lane),
                  "form": (a.form, b.form),
                  "allotted": (a.allotted_minutes, b.allotted_minutes),
                  "document": (a.document, b.document), "row": (a.row, b.row),
                  "assignee_field": (a.assignee_field, b.assignee_field),
                  "reason_field": (a.reason_field, b.reason_field),
                  "missing_field": (a.missing_field, b.missing_field)}
        for field, (x, y) in values.items():
            if field == "row" and x and y and row_key(x) == row_key(y):
                continue
            if field == "lane" and x and self.lane_ids.get(str(x)) == y:
                continue
            if x == y:
                continue
            text = None
            if field == "name":
                text = f'{capital(self.old.label(a.element_id))} đổi tên thành "{y}".'
            elif field == "lane":
                text = (f"{capital(label)} chuyển từ {self.old.label(a.lane)} sang "
                        f"{self.new.label(b.lane)}.")
            elif field in ("role", "unit") and self._lane_changed(a.lane, b.lane, field):
                # The step takes its lane's: say so, the lane's own change is listed too.
                text = words.changed(label, words.STEP_FIELDS[field],
                                     words.value_text(field, x, self.agency_name),
                                     words.value_text(field, y, self.agency_name))
                text = f"{text[:-1]} (theo {self.new.label(b.lane)})."
            self._field(ident, "step", label, field, words.STEP_FIELDS[field], x, y, text=text)
        self._outcomes(ident, label, a.outcomes, b.outcomes)

    def _lane_changed(self, old: str | None, new: str | None, field: str) -> bool:
        a, b = self.old.lanes.get(old or ""), self.new.lanes.get(new or "")
        return a is not None and b is not None and getattr(a, field) != getattr(b, field)

    def _outcomes(self, ident: str, label: str, old: list[Outcome], new: list[Outcome]) -> None:
        before = {o.key: o for o in old}
        after = {o.key: o for o in new}
        for key, o in before.items():
            if key not in after:
                self.changes.append(Change(
                    ident, "removed", "step", label,
                    f"{capital(label)}: bỏ {words.outcome_words(o.label, o.meaning)}.",
                    field=f"outcomes.{key}", old=_outcome(o), new=None))
        for key, o in after.items():
            if key not in before:
                self.changes.append(Change(
                    ident, "added", "step", label,
                    f"{capital(label)}: thêm {words.outcome_words(o.label, o.meaning)}.",
                    field=f"outcomes.{key}", old=None, new=_outcome(o)))
                continue
            was = before[key]
            if was.label != o.label:
                self._field(ident, "step", label, f"outcomes.{key}.label", "Nhãn nút",
                            was.label, o.label,
                            text=f'{capital(label)}: nút "{was.label}" đổi nhãn thành '
                                 f'"{o.label}".')
            if was.meaning != o.meaning:
                self._field(ident, "step", label, f"outcomes.{key}.meaning", "Ý nghĩa",
                            was.meaning.value, o.meaning.value,
                            text=f'{capital(label)}: nút "{o.label}" đổi ý nghĩa từ '
                                 f"{words.value_text('meaning', was.meaning.value, None)} thành "
                                 f"{words.value_text('meaning', o.meaning.value, None)}.")
        common = [k for k in before if k in after]
        if common != [k for k in after if k in before]:
            self._field(ident, "step", label, "outcomes.order", "Thứ tự các nút",
                        [before[k].label for k in common],
                        [after[k].label for k in after if k in before],
                        text=f"{capital(label)}: đổi thứ tự các nút (nút đầu là lựa chọn mặc "
                             "định).")

    # ------------------------------------------------------------------ lanes, nodes

    def lanes(self) -> None:
        old, new = self.old.lanes, self.new.lanes
        matched = self.lane_ids
        self._paired(matched)
        self._added_removed("lane", old, new, matched)
        for before, after in matched.items():
            a, b = old[before], new[after]
            label = self.new.label(after)
            for field, caption in words.LANE_FIELDS.items():
                x, y = getattr(a, field), getattr(b, field)
                if x != y:
                    self._field(after, "lane", label, field, caption, x, y)

    def nodes(self) -> None:
        old, new = self.old.nodes, self.new.nodes
        matched = pair(old, new, lambda n: (n.tag, n.name) if n.name else None)
        self.ids.update(matched)
        self._paired(matched)
        self._added_removed("node", old, new, matched)
        for before, after in matched.items():
            a, b = old[before], new[after]
            for field, caption in words.NODE_FIELDS.items():
                x, y = getattr(a, field), getattr(b, field)
                if field == "attached_to" and x is not None:
                    x = self.ids.get(x, x)
                if x == y:
                    continue
                # Named only now: naming an unnamed node looks through its scope.
                label = self.new.label(after)
                if field == "attached_to":
                    text = (f"{capital(label)} chuyển từ viền {self.old.label(a.attached_to)} "
                            f"sang viền {self.new.label(y)}.")
                elif field == "tag":
                    text = f"{capital(self.old.label(before))} đổi thành {label}."
                else:
                    text = None
                self._field(after, "node", label, field, caption, x, y, text=text)

    # ------------------------------------------------------------------ flows

    def flows(self) -> None:
        old, new = self.old.flows, self.new.flows

        def ends(ident: str, side: str) -> tuple[str, str] | None:
            flow = (old if side == "old" else new)[ident]
            if side == "old":
                return self.ids.get(flow.source, flow.source), self.ids.get(flow.target,
                                                                            flow.target)
            return flow.source, flow.target

        matched = pair({i: i for i in old}, {i: i for i in new})
        left = {i: ends(i, "old") for i in old if i not in matched}
        taken = set(matched.values())
        right = {i: ends(i, "new") for i in new if i not in taken}
        matched.update(pair(left, right, lambda e: e))
        self._paired(matched)
        self._added_removed("flow", old, new, matched)
        for before, after in matched.items():
            a, b = old[before], new[after]
            for field, caption in words.FLOW_FIELDS.items():
                x, y = getattr(a, field), getattr(b, field)
                if (self.ids.get(x, x) if field in ("source", "target") else x) == y:
                    continue
                label = self.new.label(after)
                text = None
                if field in ("source", "target"):
                    text = (f"{capital(label)}: {caption.lower()} đổi từ {self.old.label(x)} "
                            f"thành {self.new.label(y)}.")
                self._field(after, "flow", label, field, caption, x, y, text=text)


def _outcome(o: Outcome) -> dict[str, str]:
    return {"key": o.key, "label": o.label, "meaning": o.meaning.value}


def compare(old: Snapshot, new: Snapshot, agency_name: AgencyName | None = None) -> list[Change]:
    """What changed from ``old`` to ``new``: the process first, then steps, lanes, other
    nodes, flows and forms (removed ones before added ones within each)."""
    return Comparison(old, new, agency_name).run()
