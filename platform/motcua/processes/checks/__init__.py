"""Every check of a process before it runs, behind one entry point: :func:`check_process`.

The modules below it each own one layer: XML safety, the XSDs, the structure, the dialect,
flows and expressions, the forms, the shape of the graph and the procedure's legal frame;
``process`` runs them in order and collects the problems.
"""

from motcua.processes.checks.forms import load_forms_dir
from motcua.processes.checks.legal import DecisionRow, ProcedureContext
from motcua.processes.checks.problems import Problem
from motcua.processes.checks.process import CheckResult, StepConfig, check_process

__all__ = [
    "CheckResult",
    "DecisionRow",
    "Problem",
    "ProcedureContext",
    "StepConfig",
    "check_process",
    "load_forms_dir",
]
