"""Generating a draft process from a decision's step table: read the table from DOCX, XLSX
or CSV (:func:`read_table`), then build lanes, tasks, outcomes, loops, starter forms and the
diagram (:func:`generate`). Both report problems instead of raising."""

from __future__ import annotations

from motcua.design.generation.build import Generated, generate
from motcua.design.generation.rows import StepTable, read_steps_table
from motcua.design.generation.tables import read_grids


def read_table(filename: str, content: bytes) -> StepTable:
    """The step table of an uploaded DOCX, XLSX or CSV file, never raising for a bad file."""
    grids = read_grids(filename, content)
    if grids.problems and not grids.grids:
        return StepTable(problems=grids.problems)
    table = read_steps_table(grids.grids)
    table.problems[:0] = grids.problems
    return table


__all__ = ["Generated", "StepTable", "generate", "read_table"]
