"""Every BPMN MIWG reference diagram goes through check_process without crashing.

Most of them are not executable in our dialect (no lanes with roles, message flows, service
tasks ...): the report must then say so, in Vietnamese, pointing at elements that exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from motcua.processes.checks import check_process

MIWG = Path(__file__).resolve().parents[2].parent / "shared" / "bpmn-miwg-reference"
DIALECT_NS = b"http://spiffworkflow.org/bpmn/schema/1.0/core"
# Letters only Vietnamese uses among the languages the files are written in.
VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
INTERNAL_ERROR = "Lỗi nội bộ"


def _reference_files() -> list[Path]:
    files = sorted(MIWG.glob("*.bpmn")) if MIWG.is_dir() else []
    # An empty list would turn into a silently skipped test; a missing path fails below.
    return files or [MIWG / "missing.bpmn"]


def test_reference_directory_is_present() -> None:
    assert MIWG.is_dir(), f"{MIWG} không tồn tại: CI cần thư mục shared/ đặt cạnh repo"
    assert len(list(MIWG.glob("*.bpmn"))) >= 20


@pytest.mark.parametrize("path", _reference_files(), ids=lambda p: p.name)
def test_reference_diagram_is_checked_without_crashing(path: Path) -> None:
    assert path.is_file(), f"{path} không tồn tại: CI cần thư mục shared/ đặt cạnh repo"
    data = path.read_bytes()

    result = check_process(data, path.name, {})

    ids = {el.get("id"): el.sourceline for el in etree.fromstring(data).iter() if el.get("id")}
    line_count = data.count(b"\n") + 1
    for problem in result.problems:
        assert problem.message.strip(), problem
        assert VIETNAMESE & set(problem.message.lower()), problem
        assert INTERNAL_ERROR not in problem.message, problem
        assert problem.file == path.name, problem
        # Every finding of these files concerns an element: it names one that exists, with
        # a line inside the file.
        assert problem.element_id in ids, problem
        assert problem.line is not None and 1 <= problem.line <= line_count, problem
    if result.ok:
        assert result.spec is not None
    else:
        assert result.spec is None
    if DIALECT_NS not in data:
        assert result.problems, f"{path.name} is not in the platform's dialect yet passed"
