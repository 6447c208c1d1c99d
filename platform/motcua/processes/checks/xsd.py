"""Validate a document against the BPMN 2.0 XSD plus SpiffWorkflow's extension XSD.

The schema takes a noticeable fraction of a second to load, so it is built once per process
(the one SpiffWorkflow builds on import) and validations are serialised: an XMLSchema keeps
its error log on the object itself.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import Any

from lxml import etree

from motcua.processes.checks.document import BPMN_NS, SPIFF_NS, Document
from motcua.processes.checks.problems import Problem

_LOCK = threading.Lock()

_PREFIXES = {
    BPMN_NS: "bpmn",
    SPIFF_NS: "spiffworkflow",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi",
    "http://www.omg.org/spec/DD/20100524/DC": "dc",
    "http://www.omg.org/spec/DD/20100524/DI": "di",
}
_QNAME = re.compile(r"\{([^}]*)\}(\w+)")
_HINT = " Mở tệp bằng trình thiết kế BPMN và lưu lại, hoặc sửa phần tử ở dòng này."


@cache
def _validator() -> Any:
    # SpiffWorkflow builds BPMN20.xsd + spiffworkflow.xsd when this module is imported;
    # reusing it avoids loading the same schema twice.
    from SpiffWorkflow.spiff.parser.process import VALIDATOR

    return VALIDATOR


def _short(text: str) -> str:
    return _QNAME.sub(lambda m: f"{_PREFIXES.get(m.group(1), m.group(1))}:{m.group(2)}", text)


def _expected(text: str) -> str:
    names = [n.strip() for n in text.split(",") if n.strip()]
    shown = ", ".join(names[:8])
    return shown + (", ..." if len(names) > 8 else "")


_TRANSLATIONS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"Element '([^']+)', attribute '([^']+)': The attribute '[^']+' is not allowed"),
        "thuộc tính '{1}' không được phép trên phần tử {0}.",
    ),
    (
        re.compile(r"Element '([^']+)': The attribute '([^']+)' is required but missing"),
        "phần tử {0} thiếu thuộc tính bắt buộc '{1}'.",
    ),
    (
        re.compile(
            r"Element '([^']+)', attribute 'id': '([^']*)' is not a valid value of the atomic "
            r"type 'xs:ID'"
        ),
        "id '{1}' của phần tử {0} không hợp lệ: id phải bắt đầu bằng chữ cái hoặc dấu _, chỉ "
        "gồm chữ, số, '_', '-', '.' (không có khoảng trắng).",
    ),
    (
        re.compile(
            r"Element '([^']+)', attribute '([^']+)': '([^']*)' is not a valid value of the "
            r"atomic type 'xs:boolean'"
        ),
        "thuộc tính '{1}' của phần tử {0} phải là true hoặc false, không phải '{2}'.",
    ),
    (
        re.compile(
            r"Element '([^']+)', attribute '([^']+)': '([^']*)' is not a valid value of the "
            r"atomic type '([^']+)'"
        ),
        "giá trị '{2}' của thuộc tính '{1}' trên phần tử {0} không đúng kiểu {3}.",
    ),
    (
        re.compile(
            r"Element '([^']+)': This element is not expected\. Expected is (?:one of )?\( (.*) \)"
        ),
        "phần tử {0} không được phép ở vị trí này; ở đây chỉ được: {1}.",
    ),
    (
        re.compile(r"Element '([^']+)': This element is not expected"),
        "phần tử {0} không được phép ở vị trí này.",
    ),
    (
        re.compile(
            r"Element '([^']+)': Missing child element\(s\)\. Expected is (?:one of )?\( (.*) \)"
        ),
        "phần tử {0} thiếu phần tử con bắt buộc: {1}.",
    ),
    (
        re.compile(r"Element '([^']+)': Character content other than whitespace is not allowed"),
        "phần tử {0} không được chứa văn bản trực tiếp.",
    ),
]


def translate(message: str) -> str:
    """Vietnamese for the common XSD messages; the original text for the rest."""
    short = _short(message.strip())
    for pattern, template in _TRANSLATIONS:
        match = pattern.search(short)
        if match is not None:
            groups = [_expected(g) for g in match.groups()]
            return "Không đúng lược đồ BPMN 2.0: " + template.format(*groups) + _HINT
    return f"Không đúng lược đồ BPMN 2.0 (XSD): {short}." + _HINT


def _element_at(doc: Document, path: str | None, line: int) -> etree._Element | None:
    """The element an error is about: by its XPath when that resolves, else by its line."""
    candidates: list[etree._Element] = []
    if path:
        nsmap = {p: u for p, u in doc.root.nsmap.items() if p}
        try:
            found = doc.tree.xpath(path, namespaces=nsmap)
        except etree.XPathError:
            found = []
        if isinstance(found, list):
            candidates = [e for e in found if isinstance(e, etree._Element)]
        if len(candidates) > 1:
            candidates = [e for e in candidates if e.sourceline == line] or candidates
    if candidates:
        return candidates[0]
    for elements in doc.ids.values():
        for el in elements:
            if el.sourceline == line:
                return el
    return None


def _duplicate_id_error(doc: Document, message: str) -> bool:
    """Duplicate ids are reported by the structure check, in plainer words."""
    match = re.search(
        r"attribute 'id': '([^']*)' is not a valid value of the atomic type 'xs:ID'", message
    )
    return match is not None and len(doc.ids.get(match.group(1), ())) > 1


def validate(doc: Document) -> list[Problem]:
    validator = _validator()
    with _LOCK:
        validator.preprocess(doc.root)
        valid = validator.validator.validate(doc.tree)
        errors = [] if valid else list(validator.validator.error_log)
    problems = []
    for error in errors:
        if _duplicate_id_error(doc, error.message):
            continue
        line = error.line if error.line and error.line > 0 else None
        el = _element_at(doc, error.path, line) if line else None
        problems.append(doc.problem(el, translate(error.message), line=line))
    return problems
