"""Starter e-forms for a generated process: one small JSON-Schema form per step, with the
fields the step declares (the reason of a refusal, supplement or send-back; what the
applicant must add; who handles the next step). Designers grow them in the form designer."""

from __future__ import annotations

from typing import Any

from motcua.design.generation.plan import Task

SCHEMA = "https://json-schema.org/draft/2020-12/schema"
START_FORM = "to-khai"
SUPPLEMENT_FORM = "nhan-bo-sung"
REASON, MISSING, OPINION, ASSIGNEE = "ly_do", "can_bo_sung", "y_kien", "assignee"

_TEXT = {"type": "string", "maxLength": 2000}
_MISSING = {"type": "array", "title": "Giấy tờ cần bổ sung", "items": {"type": "string",
                                                                        "maxLength": 500}}


def _form(key: str, title: str, properties: dict[str, Any],
          required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"$schema": SCHEMA, "$id": key, "title": title[:200],
                              "type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"schema": schema, "ui": {"order": list(properties)}}


def start_form(procedure_name: str) -> dict[str, Any]:
    return _form(START_FORM, f"Tờ khai: {procedure_name}", {
        "noi_dung_yeu_cau": {**_TEXT, "title": "Nội dung yêu cầu"},
    })


def supplement_form() -> dict[str, Any]:
    return _form(SUPPLEMENT_FORM, "Nhận hồ sơ bổ sung", {
        "ngay_nhan": {"type": "string", "format": "date", "title": "Ngày nhận hồ sơ bổ sung"},
        "giay_to": {"type": "array", "title": "Giấy tờ đã bổ sung",
                    "items": {"type": "string", "maxLength": 500}},
    })


def step_form(task: Task, key: str, title: str) -> dict[str, Any]:
    """The task's form; sets the fields the task declares on ``task``."""
    if task.kind == "reception":
        task.reason_field, task.missing_field = REASON, MISSING
        return _form(key, title, {
            REASON: {**_TEXT, "title": "Lý do (khi yêu cầu bổ sung hoặc từ chối)"},
            MISSING: _MISSING,
            "ghi_chu": {**_TEXT, "title": "Ghi chú"},
        })
    if task.kind == "examination":
        task.reason_field, task.missing_field = OPINION, MISSING
        return _form(key, title, {
            OPINION: {**_TEXT, "title": "Ý kiến thẩm định (lý do khi yêu cầu bổ sung)"},
            MISSING: _MISSING,
        })
    if task.kind in ("review", "approval"):
        task.reason_field = OPINION
        return _form(key, title, {OPINION: {**_TEXT, "title": "Ý kiến (lý do khi trả lại)"}})
    if task.kind == "assignment":
        task.assignee_field = ASSIGNEE
        return _form(key, title, {
            ASSIGNEE: {"type": "string", "title": "Cán bộ xử lý bước sau", "x-widget": "officer",
                       "x-role": task.assignee_role or "specialist"},
            "chi_dao": {**_TEXT, "title": "Ý kiến chỉ đạo"},
        }, [ASSIGNEE])
    if task.kind == "issue":
        return _form(key, title, {
            "so_ky_hieu": {"type": "string", "maxLength": 100, "title": "Số, ký hiệu văn bản"},
            "ngay_ky": {"type": "string", "format": "date", "title": "Ngày ký"},
        })
    if task.kind == "return":
        return _form(key, title, {
            "hinh_thuc": {"type": "string", "title": "Hình thức trả kết quả",
                          "enum": ["Trực tiếp", "Bưu chính", "Trực tuyến"]},
            "nguoi_nhan": {"type": "string", "maxLength": 200, "title": "Người nhận kết quả"},
        })
    return _form(key, title, {"ghi_chu": {**_TEXT, "title": "Ghi chú"}})
