"""SpiffWorkflow integration: a script engine whose every path runs the safe subset."""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from datetime import date as _Date
from typing import Any, Final

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine.python_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .compiler import check_expression
from .dates import Clock
from .errors import ExpressionError, _normalize_newlines
from .run import evaluate, execute

_NO_SERVICE_TASKS: Final = "Nền tảng không hỗ trợ tác vụ dịch vụ (service task)"


def _engine_value(value: Any) -> Any:
    # Timer definitions parse ISO strings, and task data is JSON.
    return value.isoformat() if isinstance(value, _Date) else value


class _SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Serves the places where SpiffWorkflow calls ``script_engine.environment`` directly
    (completion conditions, message correlations), so no path reaches ``eval``."""

    def __init__(self, clock: Clock | None) -> None:
        super().__init__({})
        self.clock = clock

    def evaluate(
        self, expression: str, context: Mapping[str, Any], external_context: Any = None
    ) -> Any:
        result = evaluate(expression, context, extra=external_context, clock=self.clock)
        return _engine_value(result)

    def execute(
        self, script: str, context: MutableMapping[str, Any], external_context: Any = None
    ) -> bool:
        execute(script, context, extra=external_context, clock=self.clock)
        return True

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        raise ExpressionError(_NO_SERVICE_TASKS)


class SafeScriptEngine(PythonScriptEngine):
    """Drop-in SpiffWorkflow script engine that only runs the safe subset."""

    def __init__(
        self,
        clock: Clock | None = None,
        context_provider: Callable[[Any], Mapping[str, Any] | None] | None = None,
    ) -> None:
        super().__init__(environment=_SafeEnvironment(clock))
        self.clock = clock
        self.context_provider = context_provider

    def validate(self, expression: str) -> None:
        problems = check_expression(expression)
        if problems:
            raise problems[0]

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        extra = self._extra(task, external_context)
        try:
            result = evaluate(expression, task.data, extra=extra, clock=self.clock)
        except ExpressionError as err:
            raise self._task_error(task, "biểu thức", expression, err) from err
        return _engine_value(result)

    def execute(self, task: Any, script: str, external_context: Any = None) -> bool:
        extra = self._extra(task, external_context)
        try:
            execute(script, task.data, extra=extra, clock=self.clock)
        except ExpressionError as err:
            raise self._task_error(task, "kịch bản", script, err) from err
        return True

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise WorkflowTaskException(_NO_SERVICE_TASKS, task=task)

    def _extra(self, task: Any, external_context: Mapping[str, Any] | None) -> dict[str, Any]:
        extra = dict(external_context or {})
        if self.context_provider is not None:
            try:
                extra.update(self.context_provider(task) or {})
            except SpiffWorkflowException:
                raise
            except Exception as err:
                # Still name the element whose evaluation needed the context.
                raise WorkflowTaskException(
                    f"Lỗi khi lấy biến hệ thống: {err}", task=task, exception=err
                ) from err
        return extra

    @staticmethod
    def _task_error(task: Any, kind: str, source: str, err: ExpressionError) -> Any:
        lines = _normalize_newlines(source).split("\n")
        error_line = None
        if err.lineno is not None and 0 < err.lineno <= len(lines):
            error_line = lines[err.lineno - 1]
        shown = " ".join(source.split())
        shown = shown if len(shown) <= 120 else shown[:119] + "…"
        return WorkflowTaskException(
            f'Lỗi {kind} "{shown}": {err.message}',
            task=task,
            exception=err,
            line_number=err.lineno,
            offset=None if err.col is None else err.col + 1,
            error_line=error_line,
        )
