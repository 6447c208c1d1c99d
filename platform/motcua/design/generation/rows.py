"""Turning a table's grid into the decision's steps: find the header *Bước | Nội dung công
việc | Trách nhiệm | Thời gian | Biểu mẫu/Kết quả* (one or two rows), read each step's number
(3, "3.1"), its time ("0,5 ngày", "04 giờ", "Không tính") in the dialect's units, leave out a
heading row whose sub-steps follow and read the total row as the time limit."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from motcua.calendar.working_time import parse_duration
from motcua.design.generation.tables import Grid, problem
from motcua.processes.checks import Problem
from motcua.processes.checks.problems import Severity

REQUIRED = ("no", "work", "responsible", "time")
COLUMN_NAMES = {"no": "Bước", "work": "Nội dung công việc", "responsible": "Trách nhiệm",
                "time": "Thời gian", "result": "Biểu mẫu/Kết quả"}
# Header words, without diacritics, each column's first match wins.
_HEADER_WORDS = (
    ("no", re.compile(r"\b(buoc|stt|tt)\b")),
    ("work", re.compile(r"\bnoi dung\b")),
    ("responsible", re.compile(r"\b(trach nhiem|nguoi thuc hien|don vi thuc hien)\b")),
    ("time", re.compile(r"\b(thoi gian|thoi han)\b")),
    ("result", re.compile(r"\b(bieu mau|ket qua|san pham)\b")),
)
_STEP_NO = re.compile(r"^(?:buoc\s*)?(\d{1,3}(?:\.\d{1,3}){0,3})\.?$")
_NUMBERING = re.compile(r"^\(?\d{1,2}\)?$")
_NOT_COUNTED = re.compile(r"\bkhong (tinh|quy dinh)\b")
_PAIR = re.compile(r"(\d+(?:[.,]\d+)?(?:/\d+)?)\s*(ngay|gio|phut|d|h|m)?(?![a-z])")
_UNITS = {"ngay": "d", "d": "d", "gio": "h", "h": "h", "phut": "m", "m": "m"}
_MINUTES = {"d": 480, "h": 60, "m": 1}
HEADER_SCAN = 12


@dataclass
class StepTable:
    """The steps of an uploaded table, shaped like decision.json's step entries."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    time_limit: str | None = None
    problems: list[Problem] = field(default_factory=list)


def plain(text: str) -> str:
    """Lower case without diacritics or punctuation: how header words and markers are found."""
    text = unicodedata.normalize("NFD", text.replace("Đ", "d").replace("đ", "d")).lower()
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9./]+", " ", text).split())


def _columns(cells: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        words = plain(cell)
        for name, pattern in _HEADER_WORDS:
            if name not in found and pattern.search(words):
                found[name] = index
                break
    return found


def find_header(grid: Grid) -> tuple[dict[str, int], int, str] | None:
    """(column of each field, first data row, the time column's header text)."""
    rows = grid.rows
    for r in range(min(HEADER_SCAN, len(rows))):
        columns = _columns(rows[r])
        if not all(name in columns for name in REQUIRED):
            continue
        start = r + 1
        time_header = rows[r][columns["time"]]
        # A second header row: merged cells repeat the first, or add "(ngày làm việc)".
        if start < len(rows):
            below = rows[start]
            no_cell = _cell(below, columns["no"])
            work_cell = _cell(below, columns["work"])
            if no_cell == rows[r][columns["no"]] or (not no_cell and not work_cell) or (
                    not _STEP_NO.match(plain(no_cell)) and work_cell == rows[r][columns["work"]]):
                time_header += " " + _cell(below, columns["time"])
                start += 1
        return columns, start, time_header
    return None


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


def parse_time(text: str, default_unit: str = "d") -> str | None:
    """A table's time in the dialect's units ("0,5 ngày" → "0.5d", "04 giờ" → "4h",
    "Không tính" → "0"); None when it cannot be read."""
    words = plain(text.replace(",", "."))
    if not words or _NOT_COUNTED.search(words) or words in ("0", "-"):
        return "0" if words != "" else None
    pairs = _PAIR.findall(words)
    if not pairs:
        return None
    parts: list[tuple[Fraction, str]] = []
    for number, unit in pairs:
        try:
            if "/" in number:
                top, bottom = number.replace(",", ".").split("/")
                value = Fraction(Fraction(top), Fraction(bottom))
            else:
                value = Fraction(number.replace(",", "."))
        except (ValueError, ZeroDivisionError):
            return None
        parts.append((value, _UNITS.get(unit, default_unit)))
    if len(parts) == 1:
        value, unit = parts[0]
        written = _number(value)
        text_out = "0" if value == 0 else f"{written}{unit}" if written else None
    else:
        minutes = sum(v * _MINUTES[u] for v, u in parts)
        text_out = f"{minutes}m" if minutes.denominator == 1 else None
    if text_out is None:
        return None
    try:
        parse_duration(text_out)
    except ValueError:
        return None
    return text_out


def _number(value: Fraction) -> str | None:
    if value.denominator == 1:
        return str(value.numerator)
    for digits in range(1, 4):
        scaled = value * 10**digits
        if scaled.denominator == 1:
            return f"{float(value):.{digits}f}"
    return None


def _step_no(text: str) -> int | str | None:
    match = _STEP_NO.match(plain(text))
    if match is None:
        return None
    number = match.group(1)
    return int(number) if "." not in number else number


def read_steps_table(grids: list[Grid]) -> StepTable:
    """The first table with the expected columns, read into steps."""
    for grid in grids:
        header = find_header(grid)
        if header is not None:
            return _read(grid, *header)
    where = ", ".join(g.where for g in grids) or "tệp"
    return StepTable(problems=[problem(
        f"Không tìm thấy bảng các bước trong {where}: bảng cần có các cột "
        f"{' | '.join(COLUMN_NAMES.values())} (cột Biểu mẫu/Kết quả không bắt buộc).")])


def _default_unit(time_header: str) -> str:
    words = plain(time_header)
    if re.search(r"\bgio\b", words):
        return "h"
    if re.search(r"\bphut\b", words):
        return "m"
    return "d"


def _read(grid: Grid, columns: dict[str, int], start: int, time_header: str) -> StepTable:
    table = StepTable()
    unit = _default_unit(time_header)
    previous: list[str] | None = None
    lines: dict[int, int] = {}  # index in table.rows -> line in the file

    def at(line: int, column: str) -> str:
        return f"{grid.where}, dòng {line}, cột {COLUMN_NAMES[column]}"

    for r in range(start, len(grid.rows)):
        row, line = grid.rows[r], r + 1
        cells = {name: _cell(row, index) for name, index in columns.items()}
        if not any(row) or row == previous:
            continue  # empty, or a row a vertical merge repeats whole
        previous = row
        if _NUMBERING.match(cells["work"]) and _NUMBERING.match(cells["no"] or "0"):
            continue  # the "(1) (2) (3)" row under the header
        number = _step_no(cells["no"])
        if number is None:
            if "tong" in plain(cells["no"] + " " + cells["work"]).split():
                limit = parse_time(cells["time"] or cells["work"], unit)
                if limit is None:
                    table.problems.append(problem(
                        f"{at(line, 'time')}: không đọc được tổng thời gian "
                        f"\"{cells['time']}\" (ví dụ: 10 ngày, 0,5 ngày, 04 giờ).", line=line))
                else:
                    table.time_limit = limit
                continue
            if table.rows and cells["no"] == "" and _cell_value(table.rows[-1], "no") != "":
                # A step written over several lines: the lines below a merged number.
                table.rows[-1]["work"] = _join(table.rows[-1]["work"], cells["work"])
                continue
            table.problems.append(problem(
                f"{at(line, 'no')}: \"{cells['no']}\" không phải số bước (ví dụ 3 hoặc 3.1): "
                "dòng này bị bỏ qua.", line=line, severity=Severity.WARNING))
            continue
        if table.rows and table.rows[-1]["no"] == number:
            # A merged number over two lines with different work: one step.
            table.rows[-1]["work"] = _join(table.rows[-1]["work"], cells["work"])
            continue
        time = parse_time(cells["time"], unit)
        if time is None:
            severity = Severity.WARNING if not cells["time"] else Severity.ERROR
            what = "trống, coi như không tính" if not cells["time"] else (
                f"không đọc được \"{cells['time']}\" (ví dụ: 0,5 ngày, 04 giờ, 30 phút, "
                "Không tính)")
            table.problems.append(problem(f"{at(line, 'time')}: {what}.", line=line,
                                          severity=severity))
            time = "0"
        step = {"no": number, "work": cells["work"], "responsible": cells["responsible"],
                "time": time, "result": cells.get("result", "")}
        lines[len(table.rows)] = line
        table.rows.append(step)
    _drop_headings(table, lines, at)
    if not table.rows and not table.problems:
        table.problems.append(problem(f"Bảng các bước trong {grid.where} không có bước nào."))
    return table


def _cell_value(step: dict[str, Any], key: str) -> str:
    return str(step.get(key) or "")


def _join(first: str, second: str) -> str:
    if not second or second == first:
        return first
    return f"{first}; {second}" if first else second


def headings(numbers: list[str]) -> set[str]:
    """The step numbers that head sub-steps ("3" when "3.1" or "3.2" follow): not tasks."""
    return {n for n in numbers if any(other.startswith(n + ".") for other in numbers)}


def _drop_headings(table: StepTable, lines: dict[int, int],
                   at: Callable[[int, str], str]) -> None:
    """A step with sub-steps (3 with 3.1, 3.2) is a heading, not a task: its sub-steps take its
    responsible when they leave theirs empty."""
    heads = headings([str(step["no"]) for step in table.rows])
    kept: list[dict[str, Any]] = []
    parents: dict[str, dict[str, Any]] = {}
    seen: set[str] = set()
    for index, step in enumerate(table.rows):
        number = str(step["no"])
        line = lines[index]
        if number in heads:
            parents[number] = step
            continue
        parent = parents.get(number.rpartition(".")[0]) if "." in number else None
        if parent is not None and not step["responsible"]:
            step["responsible"] = parent["responsible"]
        if number in seen:
            table.problems.append(problem(
                f"{at(line, 'no')}: bước {number} đã có ở dòng trên.", line=line,
                severity=Severity.WARNING))
        seen.add(number)
        if not step["responsible"]:
            table.problems.append(problem(
                f"{at(line, 'responsible')}: bước {number} chưa ghi trách nhiệm.", line=line))
        if not step["work"]:
            table.problems.append(problem(
                f"{at(line, 'work')}: bước {number} chưa ghi nội dung công việc.", line=line,
                severity=Severity.WARNING))
            step["work"] = f"Bước {number}"
        kept.append(step)
    table.rows = kept
