"""What a designer sends, read before a draft keeps it: a BPMN file readable safely (as
UTF-8 text, whatever encoding it was saved in), forms of the right shape, a clean file name.
What they *say* is checked later: a draft may be invalid, never unreadable."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from motcua.errors import Invalid
from motcua.processes.checks.problems import Problem
from motcua.processes.checks.xml_safety import XmlRejected, as_utf8
from motcua.storable import character_words, unstorable

MAX_FORMS_BYTES = 2 * 1024 * 1024
MAX_FORMS = 100
MAX_FILENAME = 255
_XML_DECLARATION = re.compile(rb"""^(<\?xml[^>]*?\bencoding\s*=\s*)(["'])([^"']*)\2""")


def readable_bpmn(bpmn: str | bytes, filename: str) -> bytes:
    """The BPMN as UTF-8 bytes, refused (422, with its line) only when it cannot be read
    safely. A file saved in UTF-16 or a single-byte encoding is kept as the same text in
    UTF-8, its declaration saying so: a draft is stored and checked as UTF-8 text."""
    if isinstance(bpmn, str):
        # Text is decoded already: a declaration kept from the file it came from would make
        # the parser read these UTF-8 bytes in another encoding.
        text = bpmn.lstrip("\ufeff")
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            # JSON's "\ud800" escape decodes to half a UTF-16 pair, which no text encodes.
            line = text.count("\n", 0, exc.start) + 1
            raise Invalid("Không đọc được tệp BPMN, bản nháp chưa được lưu", [{
                "field": "bpmn", "line": line,
                "message": f"Dòng {line} có {character_words(text[exc.start])}: không phải "
                           "văn bản Unicode"}]) from None
        declared = _XML_DECLARATION.match(data)
        # Only a declaration of another encoding is rewritten: the text stays as given.
        if declared and declared.group(3).lower().replace(b"-", b"") != b"utf8":
            data = _XML_DECLARATION.sub(rb"\1\2UTF-8\2", data, count=1)
        bpmn = data
    try:
        return as_utf8(bpmn, filename)
    except XmlRejected as exc:
        raise Invalid("Không đọc được tệp BPMN, bản nháp chưa được lưu",
                      [_detail(exc.problem, "bpmn")]) from None


def clean_filename(name: str, fallback: str) -> str:
    """A stored file name: its last path part, printable, at most 255 characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = "".join(c for c in base if c.isprintable()).strip()[-MAX_FILENAME:]
    return base or fallback


def readable_forms(forms: Any) -> dict[str, dict[str, Any]]:
    """Forms as {key: {"schema": object, "ui": object?}}; what a schema says is checked
    later (a draft may hold an invalid one), but its shape must be this."""
    if not isinstance(forms, Mapping):
        raise Invalid("Biểu mẫu phải là một đối tượng JSON",
                      [{"field": "forms", "message": "Phải là đối tượng {khóa: biểu mẫu}"}])
    problems = []
    if len(forms) > MAX_FORMS:
        problems.append({"field": "forms", "message": f"Tối đa {MAX_FORMS} biểu mẫu"})
    for key, form in forms.items():
        if not isinstance(key, str) or not key.strip() or len(key) > 100:
            problems.append({"field": "forms", "message": f"Khóa biểu mẫu không hợp lệ: {key!r}"})
        elif not isinstance(form, Mapping) or not isinstance(form.get("schema"), Mapping):
            problems.append({"field": f"forms.{key}.schema",
                             "message": "Phải là một đối tượng JSON Schema"})
        elif form.get("ui") is not None and not isinstance(form.get("ui"), Mapping):
            problems.append({"field": f"forms.{key}.ui", "message": "Phải là một đối tượng"})
    if not problems and (bad := unstorable(forms, "forms")) is not None:
        problems.append({"field": bad.path, "message": f"Biểu mẫu chứa {bad.message}"})
    if problems:
        raise Invalid("Biểu mẫu không đọc được, bản nháp chưa được lưu", problems)
    clean = {key: {"schema": dict(form["schema"]),
                   **({"ui": dict(form["ui"])} if form.get("ui") is not None else {})}
             for key, form in forms.items()}
    if len(json.dumps(clean, ensure_ascii=False).encode()) > MAX_FORMS_BYTES:
        raise Invalid("Biểu mẫu quá lớn", [{"field": "forms", "message": "Tối đa 2 MB"}])
    return clean


def _detail(problem: Problem, field: str) -> dict[str, Any]:
    detail = problem.as_dict()
    detail.setdefault("field", field)
    return detail
