"""A draft generated from a procedure's step table: the imported decision's, or a table the
designer uploads (DOCX, XLSX or CSV with the decision's columns)."""

from __future__ import annotations

from motcua.calendar.working_time import parse_duration
from motcua.catalog.decisions import read_steps
from motcua.catalog.models import Procedure
from motcua.design import operations
from motcua.design.generation import generate, read_table
from motcua.design.models import ProcessDraft
from motcua.errors import Invalid
from motcua.org.models import User
from motcua.processes.checks.problems import errors


def generate_draft(procedure: Procedure, user: User,
                   table: tuple[str, bytes] | None = None) -> ProcessDraft:
    steps, limit = None, None
    if table is not None:
        read = read_table(*table)
        if errors(read.problems) or not read.rows:
            raise Invalid("Không đọc được bảng quy trình",
                          [{"field": "table", **p.as_dict()} for p in read.problems]
                          or [{"field": "table", "message": "Bảng không có bước nào"}])
        steps = read_steps(read.rows)
        limit = parse_duration(read.time_limit) if read.time_limit else None
    elif not procedure.steps:
        raise Invalid(f"Thủ tục {procedure.code} chưa có bảng quy trình nội bộ trong quyết định",
                      [{"field": "table", "message": "Tải lên bảng quy trình (DOCX, XLSX, CSV)"}])
    generated = generate(procedure, steps, limit)
    draft = operations.create(procedure, user, bpmn=generated.bpmn, forms=generated.forms,
                              filename=generated.filename, origin="generated")
    known = {(p.get("element_id"), p.get("message")) for p in draft.problems}
    draft.problems = draft.problems + [p.as_dict() for p in generated.problems
                                       if (p.element_id, p.message) not in known]
    return draft
