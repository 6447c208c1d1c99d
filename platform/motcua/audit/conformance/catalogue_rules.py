"""The rules on the catalogue and the versions, not on one process's drawing: an abolished
(or replaced) procedure still taking dossiers, a procedure in force without a published
process, a decision newer than the process in force beyond the province's update deadline."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from motcua.audit.conformance.rules import (
    ABOLISHED_DOSSIERS,
    ABOLISHED_IN_FORCE,
    ERROR,
    NO_PROCESS,
    NOT_UPDATED,
    UPDATE_DUE,
    WARNING,
    Finding,
)
from motcua.calendar.working_time import DAY_MINUTES, TZ, WorkingCalendar
from motcua.catalog.models import ProcedureRevision, RevisionStatus
from motcua.processes.models import ProcessVersion

if TYPE_CHECKING:
    from motcua.audit.conformance.operations import Context, Subject


def _d(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def update_deadline(effective: date, days: int, calendar: WorkingCalendar) -> date:
    """The last day the process may still be updated to a decision taking effect on
    ``effective``: ``days`` working days after it. A period counted in days starts the day
    after the event (Civil Code 2015, art. 147.1), so the effective day itself is not one of
    them; the period ends at the close of its last working day."""
    if days <= 0:
        return effective
    start = datetime.combine(effective + timedelta(days=1), time(0), tzinfo=TZ)
    return calendar.add(start, days * DAY_MINUTES).astimezone(TZ).date()


def updated_to(version: ProcessVersion, revision: ProcedureRevision) -> bool:
    """Whether ``version`` was made for ``revision`` (or a later decision): it takes effect
    with it or after it, or it was published once the decision was known (publishing checks
    a version against the latest imported decision of its procedure)."""
    if version.effective is not None and version.effective >= revision.effective:
        return True
    return (version.published_at is not None
            and version.published_at >= revision.decision.imported_at)


def catalogue_findings(subject: Subject, context: Context,
                       calendar: WorkingCalendar) -> list[Finding]:
    if subject.active:
        return _no_process(subject) or _stale(subject, context, calendar)
    return _abolished(subject)


def _gone(revision: ProcedureRevision) -> str:
    since = f"từ ngày {_d(revision.effective)} (quyết định {revision.decision.number})"
    if revision.status is RevisionStatus.REPLACED and revision.replaced_by is not None:
        return f"đã được thay thế bởi thủ tục {revision.replaced_by.code} {since}"
    return f"đã bị bãi bỏ {since}"


def _abolished(subject: Subject) -> list[Finding]:
    revision, version = subject.revision, subject.version
    findings = []
    instead = (f"; hồ sơ mới tiếp nhận theo thủ tục {revision.replaced_by.code}"
               if revision.status is RevisionStatus.REPLACED and revision.replaced_by else "")
    if version is not None:
        findings.append(Finding(
            ABOLISHED_IN_FORCE, ERROR,
            f"Thủ tục {_gone(revision)}, nhưng phiên bản {version.version} của quy trình điện "
            f"tử vẫn đang áp dụng vào ngày {_d(subject.day)}.",
            f"Ngừng áp dụng phiên bản {version.version} của quy trình điện tử{instead}.",
            element_id=version.process_id))
    if subject.received_after:
        findings.append(Finding(
            ABOLISHED_DOSSIERS, ERROR,
            f"{subject.received_after} hồ sơ của thủ tục được tiếp nhận từ ngày "
            f"{_d(revision.effective)} đến hết ngày {_d(subject.day)}, sau khi thủ tục "
            f"{_gone(revision)}.",
            "Rà soát các hồ sơ này (dừng giải quyết và thông báo cho người nộp, hoặc hướng dẫn "
            f"nộp theo thủ tục còn hiệu lực){instead}; ngừng tiếp nhận hồ sơ của thủ tục.",
            count=subject.received_after))
    return findings


def _no_process(subject: Subject) -> list[Finding]:
    if subject.version is not None:
        return []
    coming = subject.next_version
    later = (f"; phiên bản {coming.version} đã công bố, có hiệu lực từ ngày "
             f"{_d(coming.effective)}" if coming is not None and coming.effective else "")
    number = subject.revision.decision.number
    return [Finding(
        NO_PROCESS, ERROR,
        f"Thủ tục đang có hiệu lực theo quyết định {number} nhưng không có quy trình điện tử "
        f"nào được công bố áp dụng vào ngày {_d(subject.day)}{later}.",
        f"Cấu hình quy trình điện tử theo quy trình nội bộ của quyết định {number} và công bố "
        "để Bộ phận Một cửa tiếp nhận được hồ sơ của thủ tục.")]


def _stale(subject: Subject, context: Context, calendar: WorkingCalendar) -> list[Finding]:
    revision, version = subject.revision, subject.version
    assert version is not None and version.effective is not None
    if updated_to(version, revision):
        return []
    days = context.update_days
    deadline = update_deadline(revision.effective, days, calendar)
    number = revision.decision.number
    fix = (f"Cập nhật quy trình điện tử theo quy trình nội bộ của quyết định {number} và công bố "
           "phiên bản mới.")
    told = (f"quyết định {number} có hiệu lực từ ngày {_d(revision.effective)}, sau phiên bản "
            f"{version.version} đang áp dụng (có hiệu lực từ ngày {_d(version.effective)})")
    if subject.day > deadline:
        return [Finding(
            NOT_UPDATED, ERROR,
            f"Quy trình chưa cập nhật theo quyết định: {told}; hạn cập nhật {days} ngày làm "
            f"việc đã hết ngày {_d(deadline)}.", fix, element_id=version.process_id)]
    return [Finding(
        UPDATE_DUE, WARNING,
        f"Quy trình đang chờ cập nhật theo quyết định: {told}; hạn cập nhật {days} ngày làm "
        f"việc là hết ngày {_d(deadline)}.", fix, element_id=version.process_id)]
