"""Dossier bodies and answers."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validate
from marshmallow.utils import is_collection

from motcua.api.fields import Day, LocalDateTime
from motcua.dossiers.models import CHANNELS, STATUSES
from motcua.dossiers.search import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    MAX_OFFSET,
    MAX_Q,
    DossierQuery,
)
from motcua.tasks.schemas import TaskSchema


class ApplicantSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=255))
    id_number = fields.String(allow_none=True, validate=validate.Length(max=32))
    phone = fields.String(allow_none=True, validate=validate.Length(max=32))
    email = fields.String(allow_none=True, validate=validate.Length(max=255))
    address = fields.String(allow_none=True, validate=validate.Length(max=1000))


class ReceivedDocumentSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=300))
    original = fields.Integer(load_default=0, validate=validate.Range(min=0, max=99))
    copy = fields.Integer(load_default=0, validate=validate.Range(min=0, max=99))


class ReceptionBody(Schema):
    """The desk's decision at reception, completing its first step in the same request."""

    outcome = fields.String(allow_none=True, load_default=None)
    note = fields.String(allow_none=True, load_default=None, validate=validate.Length(max=4000))
    data = fields.Dict(load_default=dict)


class DossierCreate(Schema):
    procedure = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    desk = fields.String(allow_none=True)
    applicant = fields.Nested(ApplicantSchema, load_default=dict)
    data = fields.Dict(load_default=dict)
    # The documents handed in (printed on the receipt); defaults to none listed.
    documents = fields.List(fields.Nested(ReceivedDocumentSchema), load_default=None,
                            validate=validate.Length(max=100))
    sets = fields.Integer(allow_none=True, load_default=None,
                          validate=validate.Range(min=1, max=99))
    reception = fields.Nested(ReceptionBody, load_default=None, allow_none=True)


class StopBody(Schema):
    reason = fields.String(required=True, validate=validate.Length(max=2000))


class ApologyBody(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    new_due = LocalDateTime(required=True)


class DossierSchema(Schema):
    code = fields.String()
    procedure = fields.Function(lambda d: d.procedure.code)
    procedure_name = fields.Function(lambda d: d.procedure.name)
    process_version = fields.Function(lambda d: d.process_version.version)
    agency = fields.Function(lambda d: d.agency.code)
    desk = fields.Function(lambda d: d.desk.code)
    channel = fields.String()
    status = fields.String()
    received_at = LocalDateTime()
    due_at = LocalDateTime(allow_none=True)
    first_due_at = LocalDateTime(allow_none=True)
    finished_at = LocalDateTime(allow_none=True)
    current_step = fields.String(allow_none=True)
    applicant = fields.Dict()
    data = fields.Dict()
    tasks = fields.List(fields.Nested(TaskSchema))


class LookupSchema(Schema):
    code = fields.String()
    # The procedure's code, as everywhere else in the API.
    procedure = fields.Function(lambda d: d.procedure.code)
    status = fields.String()
    received_at = LocalDateTime()
    due_at = LocalDateTime(allow_none=True)
    current_step = fields.String(allow_none=True)


class StatusList(fields.List):
    """``status=a&status=b`` or ``status=a,b``: one message naming the wrong values, under
    the field's own name (not one per index)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(fields.String(validate=validate.OneOf(STATUSES)), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any,
                     **kwargs: Any) -> list[Any]:
        values = value if is_collection(value) else [value]
        picked = [p.strip() for v in values for p in str(v).split(",") if p.strip()]
        wrong = [p for p in picked if p not in STATUSES]
        if wrong:
            raise ValidationError(f"Tình trạng không hợp lệ: {', '.join(wrong)} (chọn trong: "
                                  f"{', '.join(STATUSES)})")
        return list(dict.fromkeys(picked))


# PostgreSQL refuses to compare text with a NUL (a 500): no code or name holds one.
_NO_NUL = validate.Regexp(r"^[^\x00]*$", error="Có ký tự không hợp lệ (NUL)")


def _at_most(length: int) -> validate.Length:
    return validate.Length(max=length, error=f"Tối đa {length} ký tự")


class DossierSearchQuery(Schema):
    """The filters of ``GET /dossiers``; loads into a ``search.DossierQuery``."""

    q = fields.String(load_default=None, validate=[_at_most(MAX_Q), _NO_NUL],
                      metadata={"description": "Mã hồ sơ (đủ hoặc phần đầu) hoặc tên người "
                                               "nộp, không phân biệt dấu và chữ hoa"})
    status = StatusList(load_default=list)
    procedure = fields.String(load_default=None, validate=[_at_most(64), _NO_NUL],
                              metadata={"description": "Mã thủ tục"})
    agency = fields.String(load_default=None, validate=[_at_most(32), _NO_NUL],
                           metadata={"description": "Mã cơ quan: cơ quan đó và các cơ quan "
                                                    "trực thuộc"})
    from_ = Day(data_key="from", load_default=None,
                metadata={"description": "Tiếp nhận từ ngày (giờ Việt Nam)"})
    to = Day(load_default=None,
             metadata={"description": "Tiếp nhận đến hết ngày (giờ Việt Nam)"})
    late = fields.Boolean(load_default=None,
                          error_messages={"invalid": "Chỉ nhận true hoặc false"},
                          metadata={"description": "Quá hạn tính đến lúc này (true|false)"})
    limit = fields.Integer(load_default=DEFAULT_LIMIT,
                           validate=validate.Range(
                               min=1, max=MAX_LIMIT, error=f"Từ 1 đến {MAX_LIMIT}"),
                           error_messages={"invalid": "Không phải số nguyên"})
    offset = fields.Integer(load_default=0, validate=validate.Range(
                                min=0, max=MAX_OFFSET, error=f"Từ 0 đến {MAX_OFFSET}"),
                            error_messages={"invalid": "Không phải số nguyên"})

    @post_load
    def to_query(self, data: dict[str, Any], **_kwargs: Any) -> DossierQuery:
        return DossierQuery(
            q=(data["q"] or "").strip() or None, statuses=tuple(data["status"]),
            procedure=(data["procedure"] or "").strip() or None,
            agency=(data["agency"] or "").strip() or None, start=data["from_"],
            end=data["to"], late=data["late"], limit=data["limit"], offset=data["offset"])


class DossierSummarySchema(Schema):
    """A dossier in a list: no identity number, phone, email or address."""

    code = fields.String()
    procedure = fields.String()
    procedure_name = fields.String()
    agency = fields.String()
    agency_name = fields.String()
    status = fields.String(metadata={"enum": list(STATUSES)})
    channel = fields.String(metadata={"enum": list(CHANNELS)})
    applicant_name = fields.String()
    received_at = LocalDateTime()
    due_at = LocalDateTime(allow_none=True)
    first_due_at = LocalDateTime(allow_none=True)
    finished_at = LocalDateTime(allow_none=True)
    current_step = fields.String(allow_none=True)
    late = fields.Boolean(metadata={"description": "Quá hạn tính đến lúc trả lời"})


class DossierListSchema(Schema):
    items = fields.List(fields.Nested(DossierSummarySchema))
    total = fields.Integer(metadata={"description": "Số hồ sơ khớp, đếm tới 10.000"})
    total_capped = fields.Boolean(metadata={
        "description": "Có khi nhiều hơn 10.000 hồ sơ khớp (total dừng ở 10.000)"})
