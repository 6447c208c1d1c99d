"""The entry points that run a source: :func:`evaluate` and :func:`execute`."""

from __future__ import annotations

import ast
import copy
from collections.abc import Mapping, MutableMapping
from typing import Any

from .compiler import _checked
from .dates import Clock, _default_clock
from .evaluator import _Evaluator
from .scripts import _ScriptRunner


def evaluate(
    source: str,
    data: Mapping[str, Any],
    *,
    extra: Mapping[str, Any] | None = None,
    clock: Clock | None = None,
) -> Any:
    """Evaluate an expression; names come from ``extra`` first, then ``data``."""
    tree, where = _checked(source, "eval")
    return _Evaluator(data, extra, clock or _default_clock, where).eval(tree)


def execute(
    source: str,
    data: MutableMapping[str, Any],
    *,
    extra: Mapping[str, Any] | None = None,
    clock: Clock | None = None,
) -> None:
    """Run a script, assigning into ``data``; on error ``data`` is left unchanged."""
    tree, where = _checked(source, "exec")
    assert isinstance(tree, ast.Module)
    # A copy to work on, so that a failing line does not leave half the script applied.
    work: dict[str, Any] = copy.deepcopy(dict(data))
    _ScriptRunner(work, extra, clock or _default_clock, where).run(tree, work)
    data.update(work)
