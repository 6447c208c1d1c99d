"""The safe expression subset of the BPMN dialect (gateway conditions, timers, scripts).

SpiffWorkflow's default engine hands the BPMN text to ``eval``/``exec``; restricting the
builtins is not enough (``().__class__.__base__.__subclasses__()`` walks back to anything).
Here the text is parsed with :mod:`ast`, checked against a whitelist of node types, and then
interpreted by a small tree walker of our own: Python's ``eval``/``exec`` are never used.

Language (Python syntax, ``mode="eval"``):

* literals: ``str``, ``int``, ``float``, ``bool``, ``None``; list/tuple/dict/set displays;
* names from the data (``extra`` first, then the data); ``a.b`` is ``a["b"]`` on a dict
  (the data is JSON), plus ``year``/``month``/``day``/``hour``/``minute``/``second`` of
  dates; ``a["b"]``, ``a[0]``, ``a[1:3]``;
* comparisons (``in``/``not in``; ``is``/``is not`` only against ``None``/``True``/``False``),
  ``and``/``or``/``not``, unary ``-``/``+``, ``+ - * / // % **``, ``x if c else y``;
* calls of the functions in :data:`FUNCTIONS`, by plain name only.

Rejected: names, attributes and keyword arguments starting with ``_``, method calls,
lambdas, comprehensions, ``:=``, ``*``/``**`` unpacking, bitwise operators and f-strings.
F-strings are rejected outright because a format spec (``f"{x:>999999999}"``) allocates
without bound; use ``str(x) + "..."``. ``%`` only works on numbers for the same reason.

Scripts are lines of ``name = expr``, ``name.key = expr``, ``name["key"] = expr`` or the
augmented forms (``n += 1``); values are stored as JSON (dates become ISO strings).

The package, from the bottom up: ``errors`` and ``limits``; ``values``, ``dates`` and
``functions`` (what may be called); ``checker`` (the syntax whitelist); ``operators`` and
``evaluator`` (the interpreter); ``compiler`` (parse, check, fold, cache); ``scripts`` (the
assignments); ``run`` (``evaluate``, ``execute``); ``spiff`` (the SpiffWorkflow script engine).
"""

from .compiler import check_expression, check_script
from .dates import VIETNAM_TZ, Clock
from .errors import ExpressionError
from .functions import FUNCTIONS
from .limits import (
    MAX_DATA_DEPTH,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_INT_BITS,
    MAX_NODES,
    MAX_RESULT_LENGTH,
    MAX_SCRIPT_LENGTH,
    MAX_SCRIPT_NODES,
    MAX_SOURCE_LENGTH,
    MAX_STORED_SIZE,
)
from .run import evaluate, execute
from .spiff import SafeScriptEngine

__all__ = [
    "FUNCTIONS",
    "MAX_DATA_DEPTH",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_INT_BITS",
    "MAX_NODES",
    "MAX_RESULT_LENGTH",
    "MAX_SCRIPT_LENGTH",
    "MAX_SCRIPT_NODES",
    "MAX_SOURCE_LENGTH",
    "MAX_STORED_SIZE",
    "VIETNAM_TZ",
    "Clock",
    "ExpressionError",
    "SafeScriptEngine",
    "check_expression",
    "check_script",
    "evaluate",
    "execute",
]
