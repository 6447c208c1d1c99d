"""Statistics of dossiers per agency (with the agencies below it), procedure and period, in
the columns of the provincial reports: carried over from the period before, received (by
channel), handled early / on time / late, returned, refused, stopped, still in progress at
the end of the period (within or past due), supplement requests and apologies.

One set-based query per table: the dossiers active in the period (received before its end
and not finished before its start) with a conditional count per column, grouped by agency
(each child of the chosen agency with its subtree, from a recursive CTE), by procedure or by
month (a small table of months joined in). Periods run from local midnight to local
midnight (Asia/Ho_Chi_Minh), computed here, so the database compares plain timestamps on its
indexes. Early / on time / late come from ``dossiers.timing``, the one definition.

The supplement requests and apologies are the sums of the dossiers' counters
(``supplement_count``, ``apology_count``) over the dossiers active in the period: the
counters are not dated, so a request made before the period, of a dossier still handled in
it, counts too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, func, literal, or_, select, union_all

from motcua.audit.scope import agency_in_scope
from motcua.calendar.working_time import TZ
from motcua.catalog.models import Procedure
from motcua.clock import now
from motcua.db import UTCDateTime, db
from motcua.documents.book import Period, parse_period
from motcua.dossiers import timing
from motcua.dossiers.access import subtree
from motcua.dossiers.models import Channel, Dossier, DossierStatus
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
        procedure = db.session.scalar(select(Procedure).where(Procedure.code == code[:64]))
        if procedure is None:
            raise field_error("procedure", f"Không có thủ tục mã {code[:64]}")
    period = parse_period(args.get("from") or None, args.get("to") or None, today())
    return StatsQuery(agency, procedure, period, group)


def today() -> date:
    return now().astimezone(TZ).date()


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), TZ)


def statistics(query: StatsQuery) -> Statistics:
    start, end = query.period.bounds
    total = _grouped(query, start, end, None)
    rows: list[Row]
    if query.group == "agency":
        rows = _by_agency(query, start, end)
    elif query.group == "procedure":
        rows = _by_procedure(query, start, end)
    else:
        rows = _by_month(query)
    return Statistics(query, rows, total.get("", Row("", "Tổng cộng")))


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


def _figures(start: Any, end: Any, moment: Any) -> list[ColumnElement[Any]]:
    """The conditional counts over dossiers already restricted to those active in
    [start, end); ``moment`` is when "still in progress" is judged (the end, or now if the
    period has not ended). Each bound is a datetime or a column of the months table:
    ``timing`` takes either, the comparison being SQL."""
    at = cast(datetime, moment)
    finished = Dossier.finished_at < end

    def count(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
        return func.count().filter(*conditions)

    judged = [timing.finished_early(), timing.finished_on_time(), timing.finished_late()]
    columns: dict[str, ColumnElement[Any]] = {
        "carried_over": count(Dossier.received_at < start),
        "received": count(Dossier.received_at >= start),
        "received_online": count(Dossier.received_at >= start, Dossier.channel == Channel.ONLINE),
        "received_direct": count(Dossier.received_at >= start, Dossier.channel == Channel.DIRECT),
        "received_postal": count(Dossier.received_at >= start, Dossier.channel == Channel.POSTAL),
        "handled": count(finished),
        "early": count(finished, judged[0]),
        "on_time": count(finished, judged[1]),
        "late": count(finished, judged[2]),
        "unjudged": count(finished, ~or_(*judged)),
        "returned": count(finished, Dossier.status == DossierStatus.RETURNED),
        "refused": count(finished, Dossier.status == DossierStatus.REFUSED),
        "stopped": count(finished, Dossier.status == DossierStatus.STOPPED),
        "in_progress": count(timing.open_at(at)),
        "in_progress_on_time": count(timing.open_at(at), ~timing.late_open_at(at)),
        "in_progress_late": count(timing.late_open_at(at)),
        "supplements": func.coalesce(func.sum(Dossier.supplement_count), 0),
        "apologies": func.coalesce(func.sum(Dossier.apology_count), 0),
    }
    return [columns[key].label(key) for key in KEYS]


def _active(start: Any, end: Any) -> ColumnElement[bool]:
    return (Dossier.received_at < end) & or_(Dossier.finished_at.is_(None),
                                             Dossier.finished_at >= start)


def _scoped(query: StatsQuery, stmt: Select[Any]) -> Select[Any]:
    if query.agency is not None:
        stmt = stmt.where(Dossier.agency_id.in_(subtree({query.agency.id})))
    if query.procedure is not None:
        stmt = stmt.where(Dossier.procedure_id == query.procedure.id)
    return stmt


def _moment(end: datetime) -> datetime:
    return min(end, now())


def _grouped(query: StatsQuery, start: datetime, end: datetime,
             key: Any, join: Any = None,
             onclause: Any = None) -> dict[str, Row]:
    """Rows keyed by the group's key as text ("" for the ungrouped total)."""
    if start >= now():
        return {}  # nothing received yet: every figure is zero
    group_key = (key if key is not None else literal("")).label("group_key")
    stmt = select(group_key, *_figures(start, end, _moment(end))).select_from(Dossier)
    if join is not None:
        stmt = stmt.join(join, onclause)
    stmt = _scoped(query, stmt.where(_active(start, end)))
    if key is not None:
        stmt = stmt.group_by(key)
    out: dict[str, Row] = {}
    for record in db.session.execute(stmt):
        mapping = record._mapping
        out[str(mapping["group_key"])] = Row(str(mapping["group_key"]), "",
                                            {k: int(mapping[k] or 0) for k in KEYS})
    return out


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


def _by_agency(query: StatsQuery, start: datetime, end: datetime) -> list[Row]:
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
    found = _grouped(query, start, end, groups.c.group_id, groups,
                     groups.c.agency_id == Dossier.agency_id)
    parent_rows = list(db.session.scalars(select(Agency).where(Agency.id.in_(parents))
                                          .order_by(Agency.code)))
    rows = []
    for agency in parent_rows:
        row = found.get(str(agency.id))
        if row is not None and any(row.figures.values()):
            rows.append(Row(agency.code, agency.name, row.figures, direct=True))
    for agency in group_agencies(query.agency):
        row = found.get(str(agency.id))
        rows.append(Row(agency.code, agency.name, row.figures if row else Row("", "").figures))
    return rows


def _by_procedure(query: StatsQuery, start: datetime, end: datetime) -> list[Row]:
    found = _grouped(query, start, end, Dossier.procedure_id)
    if not found:
        return []
    procedures = db.session.execute(select(Procedure.id, Procedure.code, Procedure.name).where(
        Procedure.id.in_([int(k) for k in found]))).all()
    return sorted((Row(code, name, found[str(pid)].figures) for pid, code, name in procedures),
                  key=lambda row: row.key)


def _by_month(query: StatsQuery) -> list[Row]:
    spans = months(query.period)
    current = now()
    parts = []
    for label, first, last in spans:
        start, end = local_midnight(first), local_midnight(last + timedelta(days=1))
        if start < current:  # a month not begun has nothing yet
            parts.append(select(literal(label).label("label"),
                                literal(start, UTCDateTime).label("start"),
                                literal(end, UTCDateTime).label("end"),
                                literal(min(end, current), UTCDateTime).label("moment")))
    found: dict[str, Row] = {}
    if parts:
        table = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("months")
        start, end = query.period.bounds
        stmt = (select(table.c.label, *_figures(table.c.start, table.c.end, table.c.moment))
                .select_from(Dossier).join(table, _active(table.c.start, table.c.end))
                .where(_active(start, end)).group_by(table.c.label))
        for record in db.session.execute(_scoped(query, stmt)):
            mapping = record._mapping
            found[mapping["label"]] = Row(mapping["label"], mapping["label"],
                                          {k: int(mapping[k] or 0) for k in KEYS})
    return [found.get(label, Row(label, label)) for label, _, _ in spans]


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
