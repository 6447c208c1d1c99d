"""The form designer's verbs on a draft's forms: which steps use each, add one, rename it,
delete one no step uses, save its schema, check it, draw its preview.

Every change goes through the draft's compare-and-set save (``design.operations.save``) with
the revision the page was opened at: a form is versioned with the draft, a stale page is
refused (409, naming who saved) and a published draft takes no change."""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from motcua.design import operations as drafts
from motcua.design.formdesign.compile import DRAFT_2020_12
from motcua.design.formdesign.keys import form_key
from motcua.design.models import ProcessDraft
from motcua.errors import Invalid, NotFound
from motcua.forms import errors_by_field, parse_form, render_form
from motcua.forms.fields import initial_values, kind_of, properties
from motcua.org import operations as org
from motcua.org.models import User
from motcua.processes.checks.document import NS, Document, label
from motcua.processes.checks.forms import schema_problems
from motcua.processes.checks.properties import read_properties
from motcua.processes.checks.xml_safety import XmlRejected, parse_xml
from motcua.schema_errors import validate

MAX_TITLE = 200
_FORM_XPATH = (".//*[bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"
               "[@name='form']]")


@dataclass(frozen=True)
class Step:
    element_id: str
    name: str  # as the checks name it: 'bước "Thẩm định hồ sơ"'


@dataclass(frozen=True)
class FormSummary:
    key: str
    title: str
    steps: list[Step]
    fields: int


def steps_using(draft: ProcessDraft) -> dict[str, list[Step]]:
    """Form key -> the steps (and start events) whose ``form`` property names it, read as
    the checks read properties. A diagram that does not parse (never a saved draft's: a
    save refuses one) uses no form."""
    try:
        tree = parse_xml(draft.bpmn_xml.encode("utf-8"), draft.filename)
    except XmlRejected:
        return {}
    doc = Document(tree, draft.filename)
    used: dict[str, list[Step]] = {}
    for element in tree.xpath(_FORM_XPATH, namespaces=NS):
        key = read_properties(doc, element)[0].get("form", "").strip()
        if key:
            used.setdefault(key, []).append(Step(element.get("id") or "", label(element)))
    return used


def title_of(form: Mapping[str, Any], key: str) -> str:
    schema = form.get("schema")
    title = schema.get("title") if isinstance(schema, Mapping) else None
    return title if isinstance(title, str) and title.strip() else key


def overview(draft: ProcessDraft) -> list[FormSummary]:
    """The draft's forms by title, each with the steps that use it."""
    used = steps_using(draft)
    found = []
    for key, form in (draft.forms or {}).items():
        schema = form.get("schema") if isinstance(form, Mapping) else None
        props = schema.get("properties") if isinstance(schema, Mapping) else None
        found.append(FormSummary(key, title_of(form, key), used.get(key, []),
                                 len(props) if isinstance(props, Mapping) else 0))
    return sorted(found, key=lambda f: (drafts.fold(f.title), f.key))


def form_of(draft: ProcessDraft, key: str) -> dict[str, Any]:
    form = (draft.forms or {}).get(key)
    if not isinstance(form, Mapping):
        raise NotFound(f"Bản nháp {draft.id} không có biểu mẫu {key}")
    return {"schema": copy.deepcopy(form.get("schema") or {}),
            "ui": copy.deepcopy(form.get("ui") or {})}


def _clean_title(title: str, field: str = "title") -> str:
    title = " ".join(title.split())
    if not title:
        raise Invalid("Chưa đặt tên biểu mẫu", [{"field": field, "message": "Bắt buộc"}])
    # NUL or half a UTF-16 pair: no database stores it (the draft's save would name
    # "forms", not the title typed).
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in title):
        raise Invalid("Tên biểu mẫu có ký tự không hợp lệ",
                      [{"field": field, "message": "Có ký tự điều khiển hoặc ký tự hỏng"}])
    if len(title) > MAX_TITLE:
        raise Invalid("Tên biểu mẫu quá dài",
                      [{"field": field, "message": f"Tối đa {MAX_TITLE} ký tự"}])
    return title


def _forms(draft: ProcessDraft) -> dict[str, Any]:
    return copy.deepcopy(dict(draft.forms or {}))


def create_form(draft: ProcessDraft, revision: int, user: User,
                title: str) -> tuple[ProcessDraft, str]:
    """A new empty form titled ``title``; its key (the file name) comes from the title and
    is never changed afterwards."""
    title = _clean_title(title)
    forms = _forms(draft)
    key = form_key(title, set(forms))
    forms[key] = {"schema": {"$schema": DRAFT_2020_12, "$id": key, "title": title,
                             "type": "object", "properties": {}}, "ui": {}}
    return drafts.save(draft, revision, user, forms=forms), key


def rename_form(draft: ProcessDraft, revision: int, user: User, key: str,
                title: str) -> ProcessDraft:
    title = _clean_title(title)
    form_of(draft, key)
    forms = _forms(draft)
    forms[key]["schema"]["title"] = title
    return drafts.save(draft, revision, user, forms=forms)


def delete_form(draft: ProcessDraft, revision: int, user: User, key: str) -> ProcessDraft:
    """Refused while a step names the form: the step would ask for a form that is gone."""
    form_of(draft, key)
    # A published draft takes no change at all (409 from the save): "remove the form from
    # its steps first" would send the designer to edit what cannot be edited.
    steps = [] if draft.is_published else steps_using(draft).get(key, [])
    if steps:
        names = ", ".join(s.name for s in steps)
        raise Invalid(f'Biểu mẫu "{key}" đang được dùng ở {names}: bỏ biểu mẫu khỏi các bước '
                      "đó trong trình thiết kế quy trình trước khi xóa",
                      [{"element_id": s.element_id, "field": "key",
                        "message": f"{s.name[:1].upper()}{s.name[1:]} dùng biểu mẫu này"}
                       for s in steps])
    forms = _forms(draft)
    del forms[key]
    return drafts.save(draft, revision, user, forms=forms)


def save_form(draft: ProcessDraft, revision: int, user: User, key: str,
              schema: Mapping[str, Any], ui: Mapping[str, Any] | None) -> ProcessDraft:
    """The form's new schema and ui; the draft's other forms and its diagram unchanged. What
    the schema says is checked with the draft, never refused here."""
    form_of(draft, key)
    forms = _forms(draft)
    forms[key] = {"schema": dict(schema), **({"ui": dict(ui)} if ui else {})}
    return drafts.save(draft, revision, user, forms=forms)


def check_form(key: str, schema: Any, ui: Any) -> list[dict[str, Any]]:
    """The problems the draft's check and publishing find in this form alone."""
    return [p.as_dict() for p in schema_problems(key, {"schema": schema, "ui": ui})]


@dataclass(frozen=True)
class Preview:
    html: Markup
    data: Any
    errors: list[dict[str, str]]


def preview(draft: ProcessDraft, schema: Mapping[str, Any], ui: Mapping[str, Any] | None, *,
            data: Any = None, posted: MultiDict[str, str] | None = None,
            check: bool = False) -> Preview:
    """The form as an officer sees it, drawn by the officers' renderer, with the sample data
    typed into it; with ``check``, that data validated as a completion would be."""
    procedure = draft.procedure
    units = [u for u in (procedure.handling_unit_id, procedure.agency_id) if u is not None]

    def officers(role: str) -> list[tuple[str, str]]:
        return org.officers(role, units)

    raw = None
    errors: list[dict[str, str]] = []
    try:
        if posted is not None:
            parsed = parse_form(schema, ui, posted)
            data, raw = _with_defaults(schema, parsed.data, posted, "data"), parsed.raw
            if check and not parsed.action:
                errors = parsed.merge(validate(parsed.data, schema, root="data"))
        elif check:
            errors = validate(data, schema, root="data")
        html = render_form(schema, ui, data, errors_by_field(errors), officers=officers,
                           raw=raw)
    # A schema typed in the JSON view may be no schema at all: its check says what is
    # wrong, the preview only that it cannot be drawn.
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError):
        html = Markup('<p class="form-error">Chưa vẽ được biểu mẫu: sửa các lỗi của JSON '
                      "Schema bên dưới.</p>")
    return Preview(html, data, errors)


def _with_defaults(schema: Any, data: Any, posted: MultiDict[str, str], name: str) -> Any:
    """``data`` with the default of every field the sample data did not post at all (the
    page leaves out blanks no one typed into), so a new default shows in the preview. A
    field posted blank stays blank: someone cleared it."""
    if kind_of(schema) != "object" or not isinstance(data, dict):
        return data
    for key, sub in properties(schema).items():
        place = f"{name}.{key}"
        sent = any(n == place or n.startswith((f"{place}.", f"{place}[")) for n in posted)
        if key in data:
            data[key] = _with_defaults(sub, data[key], posted, place)
        elif not sent and (value := initial_values(sub)) not in (None, {}, []):
            data[key] = value
    return data
