"""The platform's BPMN dialect: who does each step, in which unit, with which form, how long,
and which buttons the officer chooses from (contract: bpmn-dialect.md)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree

from motcua.calendar.working_time import parse_duration
from motcua.processes.checks.document import (
    HUMAN_TASK_TAGS,
    Document,
    bpmn_tag,
    label,
    local_name,
)
from motcua.processes.checks.problems import Problem, warning
from motcua.processes.checks.properties import parse_outcomes, read_properties
from motcua.processes.checks.step_config import StepConfig as StepConfig  # re-exported
from motcua.processes.checks.words import (
    AGENCY_CODE,
    ALLOTTED,
    DECISION_ROW,
    DOCUMENT,
    DOCUMENT_WORDS,
    FIELD_WORDS,
    FORM,
    OUTCOMES,
    ROLE,
    ROLE_WORDS,
    SELECTOR_WORDS,
    UNIT,
    cap_label,
    hint,
)
from motcua.processes.meanings import NEEDS_REASON, Outcome

ROLES = ("receiver", "specialist", "unit_head", "leader", "clerk")
UNIT_SELECTORS = ("@desk", "@handling", "@agency")
DOCUMENTS = ("receipt", "supplement", "refusal", "apology", "stop", "control_slip", "result")
# A decision's step number as its table writes it: "3", "3.1".
ROW = re.compile(r"\d{1,3}(\.\d{1,3}){0,3}")
# The form fields a step may declare, what each holds, and the JSON types it accepts.
FIELD_PROPERTIES = {
    "assignee_field": ("tên người xử lý bước sau", ("string",)),
    "reason_field": ("lý do từ chối, yêu cầu bổ sung hoặc trả lại", ("string",)),
    "missing_field": ("danh sách giấy tờ cần bổ sung", ("array",)),
}
TYPE_WORDS = {"string": "văn bản (string)", "array": "danh sách (array)"}


class CallbackFailed(Exception):
    """The caller's ``agency_exists`` failed: not a problem of the upload, so it must not be
    reported as one; ``check_process`` re-raises ``error``."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class DialectChecker:
    """Reads and checks the dialect properties of the processes of one upload."""

    def __init__(
        self,
        forms: Mapping[str, Mapping[str, Any]],
        agency_exists: Callable[[str], bool] | None,
    ) -> None:
        self.forms = forms
        self._agency_exists = agency_exists
        self._agencies: dict[str, bool] = {}
        self._lane_props: dict[int, dict[str, str]] = {}
        # Keys of the forms in use, in order of first use: only these are schema-checked.
        self.referenced_forms: list[str] = []
        self.problems: list[Problem] = []

    # ------------------------------------------------------------------ values

    def _unit_error(self, unit: str) -> str | None:
        if unit in UNIT_SELECTORS:
            return None
        if AGENCY_CODE.fullmatch(unit):
            if self._agency_exists is None:
                return None
            if unit not in self._agencies:
                try:
                    self._agencies[unit] = bool(self._agency_exists(unit))
                except Exception as exc:
                    raise CallbackFailed(exc) from exc
            if self._agencies[unit]:
                return None
            return (
                f'là cơ quan mã "{unit}", không có trong danh mục cơ quan: chọn lại cơ quan '
                f'trong danh sách "{UNIT}", hoặc nhờ quản trị thêm cơ quan này vào danh mục trước'
            )
        selectors = ", ".join(f'"{w}"' for w in SELECTOR_WORDS.values())
        codes = ", ".join(SELECTOR_WORDS)
        return (
            f'là "{unit}", không phải đơn vị hợp lệ: chọn trong danh sách "{UNIT}" một đơn vị '
            f"theo hồ sơ ({selectors}) hoặc một cơ quan cụ thể (trong tệp: {codes} hoặc mã cơ "
            "quan dạng 000.00.12.H42)"
        )

    @staticmethod
    def _role_error(role: str) -> str | None:
        if role in ROLES:
            return None
        roles = ", ".join(f'"{ROLE_WORDS[r]}"' for r in ROLES)
        return (
            f'là "{role}", không phải vai trò hợp lệ: chọn trong danh sách "{ROLE}" một trong '
            f"{roles} (trong tệp: {', '.join(ROLES)})"
        )

    # ------------------------------------------------------------------ lanes

    def _lane_properties(self, doc: Document, lane: etree._Element) -> dict[str, str]:
        key = id(lane)
        if key not in self._lane_props:
            props, problems = read_properties(doc, lane)
            self.problems.extend(problems)
            for name, check in (("role", self._role_error), ("unit", self._unit_error)):
                value = props.get(name)
                error = check(value) if value else None
                if error is not None:
                    what = ROLE if name == "role" else UNIT
                    self.problems.append(
                        doc.problem(lane, f"{what} của {label(lane)} {error}{hint(name)}.")
                    )
            self._lane_props[key] = props
        return self._lane_props[key]

    def _lane_of(self, doc: Document, el: etree._Element) -> etree._Element | None:
        node: etree._Element | None = el
        while node is not None:
            lane = doc.lanes.get(node.get("id") or "")
            if lane is not None:
                return lane
            node = node.getparent()
        return None

    def _lane_setting(self, doc: Document, lane: etree._Element | None, name: str) -> str:
        # A nested lane inherits what it does not set from the lanes around it.
        while lane is not None:
            value = self._lane_properties(doc, lane).get(name)
            if value:
                return value
            lane = next(lane.iterancestors(bpmn_tag("lane")), None)
        return ""

    def check_lanes(self, doc: Document, process: etree._Element) -> None:
        for lane in process.iter(bpmn_tag("lane")):
            self._lane_properties(doc, lane)

    # ------------------------------------------------------------------ forms

    def _use_form(self, doc: Document, el: etree._Element, key: str) -> bool:
        if key not in self.forms:
            field = "Tờ khai (biểu mẫu điện tử)" if local_name(el) == "startEvent" else FORM
            self.problems.append(
                doc.problem(
                    el,
                    f'{cap_label(el)} dùng biểu mẫu "{key}" nhưng quy trình chưa có biểu mẫu này: '
                    f'chọn lại "{field}" trong danh sách, hoặc thêm biểu mẫu "{key}" cho quy '
                    f"trình (tệp {key}.schema.json){hint('form')}.",
                )
            )
            return False
        if key not in self.referenced_forms:
            self.referenced_forms.append(key)
        return True

    @staticmethod
    def _field_names(fields: Mapping[str, Any]) -> str:
        """A form's fields as the panel's pick list shows them: title (name)."""
        names = []
        for name, spec in fields.items():
            title = spec.get("title") if isinstance(spec, Mapping) else None
            names.append(f'"{title}" ({name})' if isinstance(title, str) and title else name)
        return ", ".join(names)

    def _form_fields(self, key: str) -> dict[str, Any]:
        schema = self.forms[key].get("schema")
        properties = schema.get("properties") if isinstance(schema, Mapping) else None
        return dict(properties) if isinstance(properties, Mapping) else {}

    def _check_field(
        self,
        doc: Document,
        task: etree._Element,
        name: str,
        value: str,
        form: str | None,
        form_known: bool,
    ) -> None:
        """A declared field must be a field of the step's form, of a type that can hold it."""
        what, types = FIELD_PROPERTIES[name]
        field = f'"{FIELD_WORDS[name]}"'
        if form is None:
            self.problems.append(
                doc.problem(
                    task,
                    f'{cap_label(task)} có {field} là "{value}" nhưng chưa có "{FORM}": chọn '
                    f"biểu mẫu có trường ghi {what}, rồi chọn lại trường"
                    f"{hint(name, 'form')}.",
                    rule=f"dialect.{name}",
                )
            )
            return
        if not form_known:
            return
        fields = self._form_fields(form)
        if value not in fields:
            known = (f"chọn một trong {self._field_names(fields)}" if fields
                     else "biểu mẫu chưa có trường nào, thêm trường vào biểu mẫu trước")
            self.problems.append(
                doc.problem(
                    task,
                    f'{field} của {label(task)} là "{value}", không phải trường của biểu mẫu '
                    f'"{form}": {known}{hint(name)}.',
                    rule=f"dialect.{name}",
                )
            )
            return
        spec = fields[value]
        kind = spec.get("type") if isinstance(spec, Mapping) else None
        if kind is not None and kind not in types:
            self.problems.append(
                doc.problem(
                    task,
                    f'{field} của {label(task)} là trường "{value}" của biểu mẫu "{form}", '
                    f'có kiểu "{kind}", không ghi được {what}: chọn một trường kiểu '
                    f'{" hoặc ".join(TYPE_WORDS.get(t, t) for t in types)}{hint(name)}.',
                    rule=f"dialect.{name}",
                )
            )

    def _check_reasons(
        self,
        doc: Document,
        task: etree._Element,
        outcomes: list[Outcome],
        reason_field: str | None,
    ) -> None:
        if reason_field is not None and not any(o.meaning in NEEDS_REASON for o in outcomes):
            self.problems.append(
                warning(
                    doc.problem(
                        task,
                        f'{cap_label(task)} có "{FIELD_WORDS["reason_field"]}" là '
                        f'"{reason_field}" nhưng không nút nào có ý nghĩa cần lý do ("Từ chối", '
                        '"Yêu cầu bổ sung", "Trả lại bước trước"): trường này không được dùng. '
                        'Bỏ chọn trường, hoặc đặt đúng "Ý nghĩa" cho nút cần lý do'
                        f"{hint('reason_field')}.",
                        rule="dialect.reason_field",
                    )
                )
            )

    # ------------------------------------------------------------------ steps

    def step(self, doc: Document, task: etree._Element) -> StepConfig:
        props, problems = read_properties(doc, task)
        self.problems.extend(problems)
        lane = self._lane_of(doc, task)
        resolved = {}
        for name, check, what in (("role", self._role_error, ROLE),
                                  ("unit", self._unit_error, UNIT)):
            own = props.get(name, "")
            value = own or self._lane_setting(doc, lane, name)
            resolved[name] = value
            if not value:
                where = (f'chọn "{what}" cho {label(lane)} chứa bước, hoặc "{what} (riêng của '
                         'bước)" cho chính bước' if lane is not None else
                         f'bước không nằm trong làn nào: đặt bước vào một làn có "{what}", hoặc '
                         f'chọn "{what} (riêng của bước)"')
                self.problems.append(
                    doc.problem(
                        task, f"{cap_label(task)} chưa có {what.lower()}: {where}{hint(name)}."
                    )
                )
            elif own and (error := check(own)) is not None:
                self.problems.append(
                    doc.problem(task, f'"{what} (riêng của bước)" của {label(task)} {error}'
                                      f"{hint(name)}.")
                )

        allotted = 0
        try:
            allotted = parse_duration(props.get("allotted", ""))
        except ValueError as exc:
            self.problems.append(doc.problem(
                task,
                f'"{ALLOTTED}" của {label(task)} không đọc được. {exc}. Trong khung thuộc tính '
                f'ghi như "0,5 ngày", "4 giờ" hoặc "30 phút"{hint("allotted")}.',
            ))

        outcomes, errors = parse_outcomes(props.get("outcomes", ""))
        self.problems.extend(
            doc.problem(task, f'"{OUTCOMES}" của {label(task)}: {e}{hint("outcomes")}.')
            for e in errors
        )

        document = props.get("document") or None
        if document is not None and document not in DOCUMENTS:
            known = ", ".join(f'"{w}"' for w in DOCUMENT_WORDS.values())
            self.problems.append(
                doc.problem(
                    task,
                    f'"{DOCUMENT}" của {label(task)} là "{document}", không phải văn bản nền '
                    f"tảng phát hành được: chọn lại trong danh sách ({known})"
                    f"{hint('document: ' + ', '.join(DOCUMENTS))}.",
                )
            )

        form = props.get("form") or None
        form_known = form is not None and self._use_form(doc, task, form)
        declared = {prop: props.get(prop) or None for prop in FIELD_PROPERTIES}
        for prop, field in declared.items():
            if field is not None:
                self._check_field(doc, task, prop, field, form, form_known)
        self._check_reasons(doc, task, outcomes, declared["reason_field"])
        row = props.get("row") or None
        if row is not None and not ROW.fullmatch(row):
            self.problems.append(
                doc.problem(
                    task,
                    f'"{DECISION_ROW}" của {label(task)} là "{row}", không phải số bước: chọn '
                    'lại bước trong danh sách (số bước như bảng quy trình của quyết định ghi, '
                    f'ví dụ "3" hoặc "3.1"){hint("row")}.',
                    rule="dialect.row",
                )
            )

        ident = task.get("id") or ""
        return StepConfig(
            element_id=ident,
            name=" ".join((task.get("name") or "").split()) or ident,
            role=resolved["role"],
            unit=resolved["unit"],
            form=form,
            allotted_minutes=allotted,
            outcomes=outcomes,
            assignee_field=declared["assignee_field"],
            document=document,
            lane=lane.get("id") if lane is not None else None,
            line=task.sourceline,
            reason_field=declared["reason_field"],
            missing_field=declared["missing_field"],
            row=row,
        )

    def steps(self, doc: Document, process: etree._Element) -> dict[str, StepConfig]:
        self.check_lanes(doc, process)
        tasks = process.iter(*(bpmn_tag(t) for t in HUMAN_TASK_TAGS))
        return {step.element_id: step for step in (self.step(doc, task) for task in tasks)}

    def start_form(self, doc: Document, process: etree._Element) -> str | None:
        for event in process:
            if local_name(event) != "startEvent":
                continue
            props, problems = read_properties(doc, event)
            self.problems.extend(problems)
            form = props.get("form") or None
            if form is not None:
                self._use_form(doc, event, form)
                return form
        return None
