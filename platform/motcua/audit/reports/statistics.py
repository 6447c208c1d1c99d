"""Statistics of dossiers per agency (with the agencies below it), procedure and period, in
the columns of the provincial reports: carried over from the period before, received (by
channel), handled early / on time / late, returned, refused, stopped, still in progress at
the end of the period (within or past due), supplement requests and apologies.

One set-based query per table (``counting``: each dossier active in the period read once,
counted by class), grouped by agency (each child of the chosen agency with its subtree,
from a recursive CTE), by procedure, or cut by month. Periods run from local midnight to
local midnight (Asia/Ho_Chi_Minh), computed here, so the database compares plain timestamps.
Early / on time / late come from ``dossiers.timing``, the one definition.

The supplement requests and apologies are the sums of the dossiers' counters
(``supplement_count``, ``apology_count``) over the dossiers active in the period: the
counters are not dated, so a request made before the period, of a dossier still handled in
it, counts too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, literal, select, union_all

from motcua.audit.reports import counting
from motcua.audit.reports.counting import Slices
from motcua.audit.scope import agency_in_scope
from motcua.calendar.working_time import TZ
from motcua.catalog.models import Procedure
from motcua.clock import now
from motcua.db import db
from motcua.documents.book import Period, parse_period
from motcua.dossiers.access import subtree
from motcua.dossiers.models import Dossier
from motcua.errors import field_error
from motcua.org.models import Agency, User

GROUPS = ("agency", "procedure", "month")
GROUP_WORDS = {"agency": "Cơ quan", "procedure": "Thủ tục hành chính", "month": "Tháng"}

# The columns, in the order of the provincial report form, with their headings.
MEASURES: tuple[tuple[str, str], ...] = (
    ("carried_over", "Kỳ trước chuyển qua"),
    ("received", "Tiếp nhận trong kỳ"),
    ("received_online", "Trực tuyến"),
    ("received_direct", "Trực tiếp"),
    ("received_postal", "Qua bưu chính"),
    ("handled", "Đã giải quyết"),
    ("early", "Trước hạn"),
    ("on_time", "Đúng hạn"),
    ("late", "Trễ hạn"),
    ("unjudged", "Không tính hạn"),
    ("returned", "Đã trả kết quả"),
    ("refused", "Từ chối"),
    ("stopped", "Dừng giải quyết"),
    ("in_progress", "Đang giải quyết"),
    ("in_progress_on_time", "Còn hạn"),
    ("in_progress_late", "Quá hạn"),
    ("supplements", "Lần yêu cầu bổ sung"),
    ("apologies", "Lần xin lỗi, hẹn lại"),
)
KEYS = tuple(key for key, _ in MEASURES)
RATE_WORD = "Tỷ lệ đúng hạn (%)"
RATE_FORMULA = "(trước hạn + đúng hạn) / (trước hạn + đúng hạn + trễ hạn) × 100"
NOTES = (
    "Đã giải quyết: hồ sơ kết thúc trong kỳ (trả kết quả, từ chối, dừng); trước hạn, đúng hạn, "
    "trễ hạn so với ngày hẹn trả ghi trên giấy tiếp nhận (không tính thời gian chờ bổ sung; "
    "yêu cầu bổ sung quá một lần tính là trễ hạn); không tính hạn: hồ sơ không có ngày hẹn.",
    "Đang giải quyết: hồ sơ chưa kết thúc vào cuối kỳ (hoặc đến thời điểm xem, nếu kỳ chưa "
    "hết); quá hạn: đã qua ngày hẹn trả.",
    "Lần yêu cầu bổ sung, lần xin lỗi: cộng dồn của các hồ sơ được giải quyết trong kỳ (kỳ "
    "trước chuyển qua và tiếp nhận trong kỳ).",
    f"{RATE_WORD} = {RATE_FORMULA}.",
)


@dataclass(frozen=True)
class StatsQuery:
    agency: Agency | None  # None: the whole province (auditors)
    procedure: Procedure | None
    period: Period
    group: str = "agency"


@dataclass
class Row:
    key: str
    name: str
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KEYS, 0))
    # The chosen agency's own dossiers (not of an agency below it), when grouped by agency.
    direct: bool = False

    @property
    def on_time_rate(self) -> float | None:
        judged = self.figures["early"] + self.figures["on_time"] + self.figures["late"]
        if not judged:
            return None
        return (self.figures["early"] + self.figures["on_time"]) / judged * 100

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, **self.figures,
                "on_time_rate": None if self.on_time_rate is None
                else round(self.on_time_rate, 2), "direct": self.direct}


@dataclass(frozen=True)
class Statistics:
    query: StatsQuery
    rows: list[Row]
    total: Row

    def as_dict(self) -> dict[str, Any]:
        q = self.query
        return {"group": q.group, "agency": q.agency.code if q.agency else None,
                "procedure": q.procedure.code if q.procedure else None,
                "from": q.period.start.isoformat(), "to": q.period.end.isoformat(),
                "rows": [r.as_dict() for r in self.rows], "total": self.total.as_dict()}


def parse_query(user: User, args: Mapping[str, str]) -> StatsQuery:
    """``agency`` (code), ``procedure`` (code), ``from``/``to`` (YYYY-MM-DD, local days; the
    current month by default) and ``group``. Whoever may not read statistics gets 403, an
    agency outside the reader's scope 404, anything malformed 422 naming its field."""
    agency = agency_in_scope(user, args.get("agency") or None)
    group = (args.get("group") or "agency").strip()
    if group not in GROUPS:
        raise field_error("group", "Nhóm theo: agency (cơ quan), procedure (thủ tục) hoặc "
                                   "month (tháng)")
    procedure = None
    code = (args.get("procedure") or "").strip()
    if code:
        # No code holds a NUL, and PostgreSQL refuses to compare with one.
        procedure = (db.session.scalar(select(Procedure).where(Procedure.code == code[:64]))
                     if "\x00" not in code else None)
        if procedure is None:
            raise field_error("procedure", f"Không có thủ tục mã {code[:64]}")
    period = parse_period(args.get("from") or None, args.get("to") or None, today())
    return StatsQuery(agency, procedure, period, group)


def today() -> date:
    return now().astimezone(TZ).date()


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), TZ)


def statistics(query: StatsQuery) -> Statistics:
    if query.group == "month":
        rows, total = _by_month(query)
        return Statistics(query, rows, total)
    rows = (_by_agency if query.group == "agency" else _by_procedure)(query)
    total = Row("", "Tổng cộng")
    # The groups split the dossiers in scope: the total is their sum.
    for row in rows:
        for key in KEYS:
            total.figures[key] += row.figures[key]
    return Statistics(query, rows, total)


def months(period: Period) -> list[tuple[str, date, date]]:
    """(label "MM/YYYY", first day, last day) of each month the period touches, clipped to
    the period."""
    out = []
    cursor = period.start
    while cursor <= period.end:
        following = (cursor.replace(day=28) + timedelta(days=4)).replace(day=1)
        last = min(following - timedelta(days=1), period.end)
        out.append((f"{cursor.month:02d}/{cursor.year}", cursor, last))
        cursor = following
    return out


def _zeros() -> dict[str, int]:
    return dict.fromkeys(KEYS, 0)


def _scope(query: StatsQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.agency is not None:
        where.append(Dossier.agency_id.in_(subtree({query.agency.id})))
    if query.procedure is not None:
        where.append(Dossier.procedure_id == query.procedure.id)
    return where


def _whole_period(query: StatsQuery, key: Any, join: Any = None,
                  onclause: Any = None) -> dict[str, dict[str, int]]:
    """The columns over the whole period per group key (nothing before it has begun)."""
    start, end = query.period.bounds
    current = now()
    if start >= current:
        return {}
    found = counting.scan(Slices([start, end], min(end, current)), key, join, onclause,
                          _scope(query))
    return {name: counting.fold(classes, 1, _zeros)[1] for name, classes in found.items()}


def group_agencies(agency: Agency | None) -> list[Agency]:
    """The agencies a table by agency shows: the chosen one's children (the top-level
    agencies' children for the whole province), by code."""
    parents = _parent_ids(agency)
    return list(db.session.scalars(select(Agency).where(Agency.parent_id.in_(parents))
                                   .order_by(Agency.code)))


def _parent_ids(agency: Agency | None) -> Select[Any]:
    if agency is not None:
        return select(literal(agency.id))
    return select(Agency.id).where(Agency.parent_id.is_(None))


def _by_agency(query: StatsQuery) -> list[Row]:
    parents = _parent_ids(query.agency)
    # (group, agency): every child of the parents stands for itself and its subtree; a
    # parent's own dossiers are a group of their own.
    tree = (select(Agency.id.label("group_id"), Agency.id.label("agency_id"))
            .where(Agency.parent_id.in_(parents)).cte("tree", recursive=True))
    tree = tree.union_all(select(tree.c.group_id, Agency.id)
                          .where(Agency.parent_id == tree.c.agency_id))
    groups = union_all(select(tree.c.group_id, tree.c.agency_id),
                       select(Agency.id, Agency.id).where(Agency.id.in_(parents))
                       ).subquery("groups")
    found = _whole_period(query, groups.c.group_id, groups,
                          groups.c.agency_id == Dossier.agency_id)
    rows = []
    for agency in db.session.scalars(select(Agency).where(Agency.id.in_(parents))
                                     .order_by(Agency.code)):
        figures = found.get(str(agency.id))
        if figures is not None and any(figures.values()):
            rows.append(Row(agency.code, agency.name, figures, direct=True))
    for agency in group_agencies(query.agency):
        rows.append(Row(agency.code, agency.name, found.get(str(agency.id)) or _zeros()))
    return rows


def _by_procedure(query: StatsQuery) -> list[Row]:
    found = _whole_period(query, Dossier.procedure_id)
    if not found:
        return []
    procedures = db.session.execute(select(Procedure.id, Procedure.code, Procedure.name).where(
        Procedure.id.in_([int(k) for k in found]))).all()
    return sorted((Row(code, name, found[str(pid)]) for pid, code, name in procedures),
                  key=lambda row: row.key)


def _by_month(query: StatsQuery) -> tuple[list[Row], Row]:
    spans = months(query.period)
    current = now()
    # Only the months begun by now are counted; the others are zeros.
    begun = [(first, last) for _, first, last in spans if local_midnight(first) < current]
    total = Row("", "Tổng cộng")
    per_month: list[dict[str, int]] = []
    if begun:
        bounds = [local_midnight(first) for first, _ in begun]
        end = local_midnight(begun[-1][1] + timedelta(days=1))
        slices = Slices([*bounds, end], min(end, current))
        classes = counting.scan(slices, where=_scope(query)).get("", [])
        per_month, total.figures = counting.fold(classes, slices.count, _zeros)
    return ([Row(label, label, per_month[i] if i < len(per_month) else _zeros())
             for i, (label, _, _) in enumerate(spans)], total)


def rate_items(rows: Sequence[Row]) -> list[tuple[str, float]]:
    """The ranking of rows by on-time rate, best first (rows without a judged dossier are
    left out: a rate of nothing is no rank)."""
    rated = [(row.name, row.on_time_rate) for row in rows if row.on_time_rate is not None]
    return sorted(((name, rate) for name, rate in rated if rate is not None),
                  key=lambda item: (-item[1], item[0]))


def share_parts(row: Row) -> list[tuple[str, float, str]]:
    return [("Trước hạn", row.figures["early"], "early"),
            ("Đúng hạn", row.figures["on_time"], "on_time"),
            ("Trễ hạn", row.figures["late"], "late")]
