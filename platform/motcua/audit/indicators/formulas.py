"""Decision 766/QĐ-TTg's service-quality indicators: every formula of the index lives in this
one module, each as a declarative ``Indicator`` (its name, group, formula as officers read it,
the source it cites and whether the official annex confirmed it, the threshold for full marks
where one is known, and its numerator and denominator as SQL predicates over one agency's
rows in one period).

What the notes gathered (shared/notes/audit.md) can vouch for: two summaries agree on the
feedback and satisfaction formulas, on satisfaction weighing 18 points and progress up to 20.
Every other formula here follows a public specification of the index and is marked
``confirmed=False`` until it is checked against the annex. Lateness is never redefined here:
it is ``motcua.dossiers.timing``'s.

Indicators whose data the platform does not hold yet (payments, ratings, feedback, the
publicity checks made on the national portal, reuse of digitised data) are declared too,
with no predicates: they are reported as "no data", never as 0, and their groups score
nothing rather than zero."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, or_, select

from motcua.calendar.working_time import DAY_MINUTES
from motcua.catalog.models import ProcedureRevision, RevisionStatus
from motcua.catalog.operations import revision_ids_in_force
from motcua.dossiers import timing
from motcua.dossiers.models import Channel, Dossier, DossierStatus


class Group(StrEnum):
    PUBLICITY = "publicity"
    PROGRESS = "progress"
    DIGITISATION = "digitisation"
    ONLINE = "online"
    SATISFACTION = "satisfaction"


GROUP_NAMES = {
    Group.PUBLICITY: "Công khai, minh bạch",
    Group.PROGRESS: "Tiến độ, kết quả giải quyết",
    Group.DIGITISATION: "Số hóa hồ sơ, kết quả",
    Group.ONLINE: "Cung cấp dịch vụ trực tuyến",
    Group.SATISFACTION: "Mức độ hài lòng",
}


class Counted(StrEnum):
    """What an indicator's numerator and denominator count."""

    DOSSIERS = "dossiers"
    PROCEDURES = "procedures"


@dataclass(frozen=True)
class Window:
    """The period an indicator is computed over: ``[start, end)`` in UTC (local midnights),
    the moment open dossiers are judged at (the period's end, or now while it runs), and its
    last local day (the catalogue in force then)."""

    start: datetime
    end: datetime
    measured_at: datetime
    last_day: date
    # The procedures offered online on that day (``offered_online``), read beforehand: a
    # list of ids keeps the dossier scan free of subqueries, so PostgreSQL runs it in
    # parallel.
    online_procedures: frozenset[int]


Predicate = Callable[[Window], ColumnElement[bool]]

DECISION = ("Quyết định 766/QĐ-TTg ngày 23/6/2022 của Thủ tướng Chính phủ, Phụ lục Bộ chỉ số "
            "đánh giá chất lượng phục vụ người dân, doanh nghiệp")
UNCONFIRMED = f"{DECISION}; công thức theo một bản đặc tả công khai của bộ chỉ số"
CONFIRMED = f"{DECISION}; công thức khớp ở hai bản tóm tắt của bộ chỉ số"


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    group: Group
    formula: str
    source: str
    # False until the formula is checked against the official annex.
    confirmed: bool
    # What the numerator and denominator count; None: the platform holds no data for it.
    counts: Counted | None = None
    numerator: Predicate | None = None
    denominator: Predicate | None = None
    # The numerator sums this column over its rows instead of counting them.
    summed: Any = None
    # value = numerator / denominator × scale.
    scale: float = 100.0
    unit: str = "%"
    # What the numerator is in when it is not a count.
    numerator_unit: str = ""
    # The value that earns all the indicator's points (the rest in proportion); None: no
    # threshold is known, so full marks need 100 %.
    full_marks: float | None = None
    # Part of its group's points (an average time has no threshold to score against).
    scored: bool = True

    @property
    def no_data(self) -> bool:
        return self.counts is None

    def value(self, numerator: float | None, denominator: int | None) -> float | None:
        if numerator is None or not denominator:
            return None
        return numerator / denominator * self.scale

    def attainment(self, value: float | None) -> float | None:
        """The share of its points earned (0..1), or None when it is not scored."""
        if not self.scored or value is None:
            return None
        return min(1.0, max(0.0, value / (self.full_marks or 100.0)))


# --- The rows behind the formulas ---------------------------------------------------------

ONLINE_LEVELS = ("full", "partial")
WITH_RESULT = (DossierStatus.DONE, DossierStatus.RETURNED)


def received_in(w: Window) -> ColumnElement[bool]:
    return and_(Dossier.received_at >= w.start, Dossier.received_at < w.end)


def finished_in(w: Window) -> ColumnElement[bool]:
    """Handled in the period: the result ready, or the dossier ended without one."""
    return and_(timing.handled_at() >= w.start, timing.handled_at() < w.end)


def settled(w: Window) -> ColumnElement[bool]:
    """Finished in the period and judged early, on time or late (``timing.judged``: one
    with no time limit, or refused before the clock started, is not)."""
    return and_(finished_in(w), timing.judged())


def settled_in_time(w: Window) -> ColumnElement[bool]:
    return and_(finished_in(w), or_(timing.finished_early(), timing.finished_on_time()))


def judged_for_progress(w: Window) -> ColumnElement[bool]:
    """Settled in the period, or still open at its end with the appointment passed."""
    return or_(settled(w), timing.late_open_at(w.measured_at))


def procedures_in_force(w: Window) -> ColumnElement[bool]:
    """Revisions in force on the period's last day that accept dossiers."""
    return and_(ProcedureRevision.id.in_(revision_ids_in_force(w.last_day)),
                ProcedureRevision.status == RevisionStatus.ACTIVE)


def procedures_online(w: Window) -> ColumnElement[bool]:
    return and_(procedures_in_force(w), ProcedureRevision.online_level.in_(ONLINE_LEVELS))


def procedures_full_online(w: Window) -> ColumnElement[bool]:
    return and_(procedures_in_force(w), ProcedureRevision.online_level == "full")


def offered_online(day: date) -> Select[int]:
    """The procedures offered online (full or partial) as in force on ``day``."""
    return select(ProcedureRevision.procedure_id).where(
        ProcedureRevision.id.in_(revision_ids_in_force(day)),
        ProcedureRevision.online_level.in_(ONLINE_LEVELS))


def received_offered_online(w: Window) -> ColumnElement[bool]:
    """Received in the period, of a procedure offered online as in force at its end."""
    return and_(received_in(w), Dossier.procedure_id.in_(sorted(w.online_procedures)))


def received_online(w: Window) -> ColumnElement[bool]:
    return and_(received_offered_online(w), Dossier.channel == Channel.ONLINE)


def received_digitised(w: Window) -> ColumnElement[bool]:
    return and_(received_in(w), Dossier.dossier_files > 0)


def finished_with_result(w: Window) -> ColumnElement[bool]:
    return and_(finished_in(w), Dossier.status.in_(WITH_RESULT))


def result_digitised(w: Window) -> ColumnElement[bool]:
    return and_(finished_with_result(w), Dossier.result_files > 0)


# --- The indicators -------------------------------------------------------------------

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "publicity", "Công khai thủ tục hành chính, tiến độ và kết quả giải quyết hồ sơ",
        Group.PUBLICITY,
        "Chấm điểm mức độ công khai, minh bạch thông tin thủ tục hành chính và tiến độ, kết "
        "quả giải quyết hồ sơ trên Cổng Dịch vụ công", UNCONFIRMED, False),
    Indicator(
        "on_time", "Tỷ lệ hồ sơ giải quyết đúng hạn", Group.PROGRESS,
        "(Số hồ sơ giải quyết trước hạn + đúng hạn) / (Tổng số hồ sơ đã giải quyết và hồ sơ "
        "quá hạn chưa giải quyết) × 100%. Đúng hạn: trả kết quả không muộn hơn ngày hẹn trên "
        "giấy tiếp nhận gần nhất (không tính thời gian tổ chức, cá nhân bổ sung hồ sơ); yêu "
        "cầu bổ sung quá một lần tính là quá hạn; hồ sơ chưa giải quyết tính tại thời điểm "
        "cuối kỳ", UNCONFIRMED, False, Counted.DOSSIERS, settled_in_time, judged_for_progress),
    Indicator(
        "handling_days", "Thời gian giải quyết trung bình", Group.PROGRESS,
        "Tổng thời gian giải quyết (phút làm việc tính vào thời hạn, không tính thời gian bổ "
        f"sung hồ sơ) / Số hồ sơ đã giải quyết được tính hạn / {DAY_MINUTES} phút mỗi ngày "
        "làm việc",
        UNCONFIRMED, False, Counted.DOSSIERS, settled, settled, summed=Dossier.clocked_minutes,
        scale=1 / DAY_MINUTES, unit="ngày làm việc", numerator_unit="phút", scored=False),
    Indicator(
        "procedures_online", "Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến",
        Group.ONLINE,
        "Số thủ tục hành chính cung cấp dịch vụ công trực tuyến (toàn trình hoặc một phần) / "
        "Tổng số thủ tục hành chính đang có hiệu lực × 100%", UNCONFIRMED, False,
        Counted.PROCEDURES, procedures_online, procedures_in_force, full_marks=80.0),
    Indicator(
        "procedures_full_online", "Tỷ lệ thủ tục hành chính cung cấp dịch vụ công trực tuyến "
        "toàn trình", Group.ONLINE,
        "Số thủ tục hành chính cung cấp dịch vụ công trực tuyến toàn trình / Tổng số thủ tục "
        "hành chính đang có hiệu lực × 100%", UNCONFIRMED, False,
        Counted.PROCEDURES, procedures_full_online, procedures_in_force),
    Indicator(
        "online_submission", "Tỷ lệ hồ sơ nộp trực tuyến", Group.ONLINE,
        "Số hồ sơ nộp trực tuyến / Tổng số hồ sơ tiếp nhận của các thủ tục hành chính có cung "
        "cấp dịch vụ công trực tuyến × 100%", UNCONFIRMED, False,
        Counted.DOSSIERS, received_online, received_offered_online, full_marks=50.0),
    Indicator(
        "online_payment", "Tỷ lệ hồ sơ thanh toán trực tuyến", Group.ONLINE,
        "Số hồ sơ thực hiện thanh toán trực tuyến / Tổng số hồ sơ có nghĩa vụ tài chính × "
        "100%", UNCONFIRMED, False),
    Indicator(
        "digitised_dossiers", "Tỷ lệ số hóa hồ sơ", Group.DIGITISATION,
        "Số hồ sơ tiếp nhận có thành phần hồ sơ được số hóa / Tổng số hồ sơ tiếp nhận × 100%",
        UNCONFIRMED, False, Counted.DOSSIERS, received_digitised, received_in,
        full_marks=80.0),
    Indicator(
        "digitised_results", "Tỷ lệ số hóa kết quả giải quyết", Group.DIGITISATION,
        "Số hồ sơ đã có kết quả giải quyết được số hóa (bản điện tử của kết quả) / Tổng số hồ "
        "sơ đã có kết quả giải quyết × 100%", UNCONFIRMED, False,
        Counted.DOSSIERS, result_digitised, finished_with_result, full_marks=80.0),
    Indicator(
        "data_reuse", "Tỷ lệ khai thác, sử dụng lại dữ liệu đã số hóa", Group.DIGITISATION,
        "Số hồ sơ sử dụng lại dữ liệu, giấy tờ đã số hóa / Tổng số hồ sơ tiếp nhận × 100%",
        UNCONFIRMED, False),
    Indicator(
        "feedback_on_time", "Tỷ lệ phản ánh, kiến nghị được xử lý đúng hạn",
        Group.SATISFACTION,
        "Số phản ánh, kiến nghị được xử lý đúng hoặc trước hạn / Tổng số phản ánh, kiến nghị "
        "× 100%", CONFIRMED, True),
    Indicator(
        "satisfaction", "Mức độ hài lòng trong giải quyết thủ tục hành chính",
        Group.SATISFACTION,
        "(Tổng số hồ sơ − Số hồ sơ bị đánh giá không hài lòng, bị phản ánh, khiếu nại hoặc "
        "giải quyết quá hạn) / Tổng số hồ sơ thuộc thẩm quyền × 100%", CONFIRMED, True),
)

BY_KEY = {indicator.key: indicator for indicator in INDICATORS}


# --- Group scores -----------------------------------------------------------------------

@dataclass(frozen=True)
class GroupScore:
    group: Group
    weight: float
    # None: none of its scored indicators has a value ("no data", not 0).
    points: float | None
    covers: list[str]
    missing: list[str]

    @property
    def name(self) -> str:
        return GROUP_NAMES[self.group]


@dataclass(frozen=True)
class Total:
    # None: no group has data.
    points: float | None
    # The weights of the groups the total covers (the most it could reach).
    out_of: float
    covers: list[Group]
    missing: list[Group]


def group_scores(values: Mapping[str, float | None], weights: Mapping[str, Any]
                 ) -> tuple[list[GroupScore], Total]:
    """Each group's points = its weight × the average attainment of its scored indicators
    that have a value; a group none of them reaches has no points. ``values`` by key."""
    scores: list[GroupScore] = []
    for group in Group:
        members = [i for i in INDICATORS if i.group is group and i.scored]
        reached = {i.key: a for i in members
                   if (a := i.attainment(values.get(i.key))) is not None}
        weight = float(weights.get(group.value, 0) or 0)
        points = weight * sum(reached.values()) / len(reached) if reached else None
        scores.append(GroupScore(group, weight, points, list(reached),
                                 [i.key for i in members if i.key not in reached]))
    return scores, _total(scores)


def _total(scores: Sequence[GroupScore]) -> Total:
    covered = [s for s in scores if s.points is not None]
    points = sum(s.points or 0.0 for s in covered) if covered else None
    return Total(points, sum(s.weight for s in covered),
                 [s.group for s in covered], [s.group for s in scores if s.points is None])
