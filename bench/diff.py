"""How long the version diff takes on two large versions: the 200-step process of
``check_large.py`` and a copy with changes all over it (steps renamed, their ids changed
with the same decision row, allotted times, a lane's role and unit, outcomes added and
meanings changed, conditions, steps added and removed).

    .venv/bin/python bench/diff.py [--runs 21]

Prints the median of the diff as the API computes it (both processes read through the
checks' dialect reader, then compared; forms empty), and, measured in the same run on the
same files, the median of the floor: parsing both XMLs safely with lxml. Figures only; the
target is under 300 ms.
"""

from __future__ import annotations

import argparse
from collections import Counter

# bench/ is on the path as the script's folder, as check_large.py's importers rely on.
from check_large import build
from lxml import etree
from util import median_ms

from motcua.design.diffs.compare import compare
from motcua.design.diffs.read import read
from motcua.processes.checks.document import NS
from motcua.processes.checks.xml_safety import parse_xml


def _prop(el: etree._Element, name: str) -> etree._Element | None:
    found = el.xpath(f"./bpmn:extensionElements/spiffworkflow:properties/"
                     f"spiffworkflow:property[@name='{name}']", namespaces=NS)
    first = found[0] if isinstance(found, list) and found else None
    return first if isinstance(first, etree._Element) else None


def _rename(tree: etree._Element, old: str, new: str) -> None:
    for el in tree.iter():
        for key, value in el.attrib.items():
            if value == old:
                el.set(key, new)
        if isinstance(el.tag, str) and (el.text or "").strip() == old:
            el.text = new


def changed_copy(data: bytes) -> tuple[bytes, int]:
    """The large process with about one change in ten steps; how many edits were made."""
    tree = etree.fromstring(data)
    tasks = tree.xpath("//bpmn:userTask", namespaces=NS)
    assert isinstance(tasks, list)
    edits = 0
    for i, task in enumerate(tasks):
        assert isinstance(task, etree._Element)
        ident = task.get("id") or ""
        if i % 10 == 3:
            task.set("name", f"{task.get('name')} (sửa)")
            edits += 1
        if i % 10 == 5 and (allotted := _prop(task, "allotted")) is not None:
            allotted.set("value", "1h")
            edits += 1
        if i % 25 == 7 and _prop(task, "row") is not None:
            # An id changed in the modeler: every reference follows, the row stays.
            _rename(tree, ident, f"{ident}_v2")
            edits += 1
        if i % 40 == 12 and (row := _prop(task, "row")) is not None:
            # Replaced by another step: new id, new name, no row (removed + added).
            row.getparent().remove(row)  # type: ignore[union-attr]
            _rename(tree, ident, f"{ident}_new")
            task.set("name", f"Bước thay thế {i}")
            edits += 1
        if i % 10 == 8 and (outcomes := _prop(task, "outcomes")) is not None:
            value = (outcomes.get("value") or "").replace(":forward=", ":accept=", 1)
            outcomes.set("value", f"{value};hoi_y_kien:forward=Hỏi ý kiến")
            edits += 2
    for flow in tree.xpath("//bpmn:sequenceFlow[bpmn:conditionExpression]", namespaces=NS)[::9]:
        assert isinstance(flow, etree._Element)
        flow[0].text = f"({flow[0].text}) or outcome == \"hoi_y_kien\""
        edits += 1
    lane = tree.xpath("//bpmn:lane", namespaces=NS)[-1]
    assert isinstance(lane, etree._Element)
    role = _prop(lane, "role")
    assert role is not None
    role.set("value", "specialist")
    edits += 1
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8"), edits


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    old, _ = build()
    new, edits = changed_copy(old)
    old_text, new_text = old.decode("utf-8"), new.decode("utf-8")

    def floor() -> None:
        parse_xml(old, "old.bpmn")
        parse_xml(new, "new.bpmn")

    def diff() -> list[object]:
        return list(compare(read(old_text, "old.bpmn", {}), read(new_text, "new.bpmn", {})))

    changes = compare(read(old_text, "old.bpmn", {}), read(new_text, "new.bpmn", {}))
    kinds = Counter(c.kind for c in changes)
    steps = len(read(old_text, "old.bpmn", {}).steps)
    floor()
    base_median, base_min = median_ms(floor, args.runs)
    diff_median, diff_min = median_ms(diff, args.runs)
    print(f"versions: {steps} officer steps each, {len(old) // 1024} KiB; {edits} edits -> "
          f"{len(changes)} changes ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})")
    print(f"baseline (safe lxml parse of both files): median {base_median:.1f} ms "
          f"(min {base_min:.1f}) over {args.runs} runs")
    print(f"diff (read both through the dialect reader + compare): median {diff_median:.1f} ms "
          f"(min {diff_min:.1f}) over {args.runs} runs")
    print(f"ratio diff / baseline: {diff_median / base_median:.1f}x; target < 300 ms: "
          + ("met" if diff_median < 300 else "NOT met"))


if __name__ == "__main__":
    main()
