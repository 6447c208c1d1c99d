"""The platform's BPMN dialect: who does each step, in which unit, with which form, how long,
and which buttons the officer chooses from (contract: bpmn-dialect.md)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from lxml import etree

from motcua.calendar.working_time import parse_duration
from motcua.processes.checks.document import (
    HUMAN_TASK_TAGS,
    NS,
    Document,
    bpmn_tag,
    label,
    local_name,
)
from motcua.processes.checks.problems import Problem

ROLES = ("receiver", "specialist", "unit_head", "leader", "clerk")
UNIT_SELECTORS = ("@desk", "@handling", "@agency")
DOCUMENTS = ("receipt", "supplement", "refusal", "apology", "stop", "control_slip", "result")
AGENCY_CODE = re.compile(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}")
OUTCOME_KEY = re.compile(r"[a-z][a-z0-9_]*")


class CallbackFailed(Exception):
    """The caller's ``agency_exists`` failed: not a problem of the upload, so it must not be
    reported as one; ``check_process`` re-raises ``error``."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


_PROPERTY_XPATH = "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property"


@dataclass
class StepConfig:
    """What the platform needs to know about one officer step (user or manual task)."""

    element_id: str
    name: str
    role: str
    unit: str
    form: str | None
    allotted_minutes: int
    outcomes: list[tuple[str, str]]
    assignee_field: str | None
    document: str | None
    lane: str | None
    line: int | None

    @property
    def outcome_keys(self) -> list[str]:
        return [key for key, _ in self.outcomes]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["outcomes"] = [[key, text] for key, text in self.outcomes]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StepConfig:
        return cls(
            element_id=data["element_id"],
            name=data["name"],
            role=data["role"],
            unit=data["unit"],
            form=data.get("form"),
            allotted_minutes=int(data.get("allotted_minutes", 0)),
            outcomes=[(str(key), str(text)) for key, text in data.get("outcomes", [])],
            assignee_field=data.get("assignee_field"),
            document=data.get("document"),
            lane=data.get("lane"),
            line=data.get("line"),
        )


def parse_outcomes(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """``"approve=Đồng ý;back=Trả lại"`` -> pairs, and what is wrong with the text."""
    outcomes: list[tuple[str, str]] = []
    errors: list[str] = []
    for part in text.split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, caption = (s.strip() for s in part.partition("="))
        if not sep or not caption:
            errors.append(f'"{part}" thiếu nhãn: viết dạng khóa=Nhãn, ví dụ approve=Đồng ý')
        elif not OUTCOME_KEY.fullmatch(key):
            errors.append(
                f'khóa "{key}" không hợp lệ: khóa viết thường, không dấu, bắt đầu bằng chữ cái, '
                "chỉ gồm a-z, 0-9 và _ (ví dụ approve)"
            )
        elif key in (k for k, _ in outcomes):
            errors.append(f'khóa "{key}" bị lặp: mỗi nút phải có khóa riêng')
        else:
            outcomes.append((key, caption))
    return outcomes, errors


def read_properties(doc: Document, el: etree._Element) -> tuple[dict[str, str], list[Problem]]:
    props: dict[str, str] = {}
    problems = []
    for prop in el.xpath(_PROPERTY_XPATH, namespaces=NS):
        name, value = prop.get("name"), prop.get("value")
        if name is None or value is None:
            problems.append(
                doc.problem(
                    prop,
                    f"Thuộc tính mở rộng của {label(el)} thiếu name hoặc value: viết dạng "
                    '<spiffworkflow:property name="role" value="specialist"/>.',
                )
            )
        elif name in props:
            problems.append(
                doc.problem(
                    prop,
                    f'Thuộc tính "{name}" của {label(el)} được khai báo hai lần: giữ một.',
                )
            )
        else:
            props[name] = value.strip()
    return props, problems


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
                f'không có cơ quan mã "{unit}" trong danh mục cơ quan: sửa mã hoặc thêm cơ '
                "quan vào danh mục trước"
            )
        return (
            f'"{unit}" không hợp lệ: dùng @desk (Bộ phận Một cửa đã tiếp nhận), @handling '
            "(đơn vị xử lý của thủ tục), @agency (cơ quan có thẩm quyền) hoặc mã cơ quan dạng "
            "000.00.12.H42"
        )

    @staticmethod
    def _role_error(role: str) -> str | None:
        if role in ROLES:
            return None
        return f'"{role}" không hợp lệ: dùng một trong {", ".join(ROLES)}'

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
                    what = "Vai trò (role)" if name == "role" else "Đơn vị (unit)"
                    self.problems.append(
                        doc.problem(lane, f"{what} của làn {label(lane)} {error}.")
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
            self.problems.append(
                doc.problem(
                    el,
                    f'{label(el)} dùng biểu mẫu "{key}" nhưng không có biểu mẫu này trong các '
                    f"biểu mẫu tải lên (cần tệp {key}.schema.json): sửa tên biểu mẫu hoặc tải "
                    "biểu mẫu lên.",
                )
            )
            return False
        if key not in self.referenced_forms:
            self.referenced_forms.append(key)
        return True

    def _form_fields(self, key: str) -> list[str]:
        schema = self.forms[key].get("schema")
        properties = schema.get("properties") if isinstance(schema, Mapping) else None
        return list(properties) if isinstance(properties, Mapping) else []

    # ------------------------------------------------------------------ steps

    def step(self, doc: Document, task: etree._Element) -> StepConfig:
        props, problems = read_properties(doc, task)
        self.problems.extend(problems)
        lane = self._lane_of(doc, task)
        where = f"làn {label(lane)}" if lane is not None else "làn (lane) chứa bước"
        resolved = {}
        for name, check, what, hint in (
            ("role", self._role_error, "vai trò (role)", ", ".join(ROLES)),
            ("unit", self._unit_error, "đơn vị (unit)", "@desk, @handling, @agency, mã cơ quan"),
        ):
            own = props.get(name, "")
            value = own or self._lane_setting(doc, lane, name)
            resolved[name] = value
            if not value:
                self.problems.append(
                    doc.problem(
                        task,
                        f"Bước {label(task)} chưa có {what}: đặt {name} cho {where} hoặc cho "
                        f"chính bước ({hint}).",
                    )
                )
            elif own and (error := check(own)) is not None:
                self.problems.append(
                    doc.problem(task, f"{what.capitalize()} của bước {label(task)} {error}.")
                )

        allotted = 0
        try:
            allotted = parse_duration(props.get("allotted", ""))
        except ValueError as exc:
            self.problems.append(doc.problem(task, f"Bước {label(task)}: {exc}."))

        outcomes, errors = parse_outcomes(props.get("outcomes", ""))
        self.problems.extend(
            doc.problem(task, f"Kết quả (outcomes) của bước {label(task)}: {e}.") for e in errors
        )

        document = props.get("document") or None
        if document is not None and document not in DOCUMENTS:
            self.problems.append(
                doc.problem(
                    task,
                    f'Văn bản (document) "{document}" của bước {label(task)} không hợp lệ: dùng '
                    f"một trong {', '.join(DOCUMENTS)}.",
                )
            )

        form = props.get("form") or None
        form_known = form is not None and self._use_form(doc, task, form)
        assignee_field = props.get("assignee_field") or None
        if assignee_field is not None:
            if form is None:
                self.problems.append(
                    doc.problem(
                        task,
                        f'Bước {label(task)} có assignee_field "{assignee_field}" nhưng không có '
                        "biểu mẫu (form): thêm biểu mẫu có trường chọn người xử lý.",
                    )
                )
            elif form_known and assignee_field not in (fields := self._form_fields(form)):
                self.problems.append(
                    doc.problem(
                        task,
                        f'assignee_field "{assignee_field}" của bước {label(task)} không phải '
                        f'trường của biểu mẫu "{form}": dùng một trong '
                        f"{', '.join(fields) or '(biểu mẫu chưa có trường nào)'}.",
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
            assignee_field=assignee_field,
            document=document,
            lane=lane.get("id") if lane is not None else None,
            line=task.sourceline,
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
