"""One dossier's history replayed against the process version it ran: every hand-over
against the model's graph, every completion against its deadline and against the lane's
role and unit (as the history recorded the officer's membership at that moment), the
clock stops for supplements, and the dossier's appointment.

It reads plain values only (``Facts``, ``Event``): the page of one dossier and the
aggregation over tens of thousands replay the same way, the latter from one streamed query.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from motcua.audit.execution.findings import (
    Event,
    Facts,
    Finding,
    Names,
    Rule,
    Severity,
    calendar_text,
    when,
)
from motcua.audit.execution.model import START, VersionModel
from motcua.calendar.working_time import WorkingCalendar
from motcua.history.models import EventAction
from motcua.processes.checks.legal import duration_text
from motcua.processes.meanings import Meaning


def working_text(minutes: int) -> str:
    return duration_text(minutes) if minutes > 0 else "0 phút"


@dataclass
class _Stop:
    """A supplement request: the clock stopped until the complete dossier came back."""

    at: datetime
    seq: int
    officer_id: int | None
    element_id: str | None
    resumed_at: datetime | None = None
    stopped_at: datetime | None = None  # the dossier was stopped while it waited


class Replay:
    def __init__(self, facts: Facts, model: VersionModel, calendar: WorkingCalendar,
                 now: datetime, names: Names) -> None:
        self.facts, self.model, self.calendar = facts, model, calendar
        self.now, self.names = now, names
        self.findings: list[Finding] = []
        self.open_tasks: set[int] = set()
        # Older histories named no task rows on their hand-overs: then none is checked.
        self.tracks_tasks = True
        self.stops: list[_Stop] = []
        self.apologies: list[datetime] = []
        self.resumed_at: datetime | None = None

    def run(self, events: Iterable[Event]) -> list[Finding]:
        for event in events:
            self._event(event)
        self._stops()
        self._appointment()
        return self.findings

    def _add(self, rule: Rule, severity: Severity, message: str, event: Event, *,
             element_id: str | None = None, minutes: int | None = None) -> None:
        """A finding about ``event``, on its step (or ``element_id``), about its officer."""
        element = element_id if element_id is not None else event.step
        self.findings.append(Finding(
            rule, severity, message, element_id=element, step_no=self.model.row(element),
            event=event.seq, minutes=minutes, officer_id=event.actor_id))

    # ------------------------------------------------------------------ events

    def _event(self, event: Event) -> None:
        action = event.action
        if action == EventAction.RECEIVED:
            self._handover(event, START)
            self._opened(event)
        elif action == EventAction.COMPLETED:
            self._completed(event)
        elif action == EventAction.TIMER:
            self._timer(event)
        elif action == EventAction.DOCUMENT and event.document == "supplement":
            self.stops.append(_Stop(event.at, event.seq, event.actor_id, event.step))
        elif action == EventAction.EXTENDED:
            self.apologies.append(event.at)
        elif action == EventAction.STOPPED:
            for stop in self._waiting():
                stop.stopped_at = event.at

    def _completed(self, event: Event) -> None:
        step = event.step or ""
        name = event.step_name or self.model.name(step)
        if step not in self.model.steps:
            self._add(Rule.OUTSIDE_MODEL, Severity.ERROR,
                      f'Bước "{name}" ({step}) không có trong quy trình điện tử hồ sơ đã chạy '
                      f"(phiên bản {self.model.number})", event)
        elif self.tracks_tasks and event.task_id not in self.open_tasks:
            self._add(Rule.OUTSIDE_MODEL, Severity.ERROR,
                      f'Bước "{name}" được ghi hoàn thành khi hồ sơ chưa được chuyển đến bước '
                      "này (không có công việc đang mở tương ứng)", event)
        self.open_tasks.discard(event.task_id or 0)
        self._deadline(event, name)
        self._lane(event, name)
        if step in self.model.steps:
            self._handover(event, step)
        document = event.task_document or (self.model.steps[step].document
                                           if step in self.model.steps else None)
        if document == "supplement":
            # The complete dossier is back: the clock restarts from zero.
            for stop in self._waiting():
                stop.resumed_at = event.at
            self.resumed_at = event.at
        self._opened(event)

    def _timer(self, event: Event) -> None:
        timer = event.step or ""
        if self.model.known(timer):
            self._handover(event, timer)
        elif event.to_steps:
            self._add(Rule.OUTSIDE_MODEL, Severity.ERROR,
                      f'Hẹn giờ "{event.step_name or timer}" không có trong quy trình điện tử '
                      "hồ sơ đã chạy mà vẫn chuyển hồ sơ đi", event)
        self._opened(event)

    def _opened(self, event: Event) -> None:
        if event.to_tasks is None and event.to_steps:
            self.tracks_tasks = False
        self.open_tasks.update(event.to_tasks or ())

    def _handover(self, event: Event, source: str) -> None:
        name = event.step_name or self.model.name(source)
        if source == START:
            giver = "Tiếp nhận hồ sơ"
        elif event.action == EventAction.TIMER:
            giver = f'Hẹn giờ "{name}"'
        else:
            giver = f'Bước "{name}"'
        back = event.meaning == Meaning.BACK
        for target in event.to_steps or []:
            if not self.model.opens(source, target):
                self._add(Rule.OUTSIDE_MODEL, Severity.ERROR,
                          f'{giver} chuyển hồ sơ tới bước "{self.model.name(target)}", không phải '
                          "bước kế tiếp trong quy trình đã công bố (bỏ qua bước hoặc chuyển "
                          "ngoài quy trình)", event,
                          element_id=source if source != START else target)
            elif back and self.model.judges_back(source) \
                    and not self.model.is_earlier(target, source):
                self._add(Rule.BACK_OUTSIDE_MODEL, Severity.ERROR,
                          f'{giver} trả lại hồ sơ về bước "{self.model.name(target)}", không '
                          "phải một bước trước nó trong quy trình đã công bố", event)

    def _deadline(self, event: Event, name: str) -> None:
        if event.due_at is None or event.at <= event.due_at:
            return
        minutes = self.calendar.elapsed(event.due_at, event.at)
        late = (f"quá hạn {working_text(minutes)} làm việc" if minutes
                else "quá hạn (ngoài giờ làm việc)")
        self._add(Rule.LATE_STEP, Severity.WARNING,
                  f'Bước "{name}" hoàn thành lúc {when(event.at)}, hạn {when(event.due_at)}: '
                  f"{late}", event, minutes=minutes)

    def _lane(self, event: Event, name: str) -> None:
        if event.task_role is None:
            if event.step in self.model.steps:
                self._add(Rule.OUTSIDE_LANE, Severity.ERROR,
                          f'Bước "{name}" được ghi hoàn thành mà không gắn với công việc nào '
                          "của hồ sơ: không xác định được vai trò, đơn vị của bước",
                          event)
            return
        recorded = (event.actor_role, event.actor_unit_id)
        if recorded == (event.task_role, event.task_unit_id):
            return
        self._add(Rule.OUTSIDE_LANE, Severity.ERROR,
                  f'Bước "{name}" do {self.names.officer(event.actor_id)} hoàn thành với tư '
                  f"cách {self.names.membership(*recorded)}, trong khi bước thuộc "
                  f"{self.names.membership(event.task_role, event.task_unit_id)}",
                  event)

    # ------------------------------------------------------------------ the clock

    def _waiting(self) -> list[_Stop]:
        return [s for s in self.stops if s.resumed_at is None and s.stopped_at is None]

    def _stops(self) -> None:
        for number, stop in enumerate(self.stops, 1):
            end = stop.resumed_at or stop.stopped_at or self.facts.finished_at or self.now
            working = self.calendar.elapsed(stop.at, end)
            span = int((end - stop.at).total_seconds() // 60)
            lasted = f"{calendar_text(span)} theo lịch, {working_text(working)} làm việc"
            severity = Severity.INFO
            if stop.resumed_at is not None:
                message = (f"Lần yêu cầu bổ sung thứ {number}: tạm dừng tính thời gian từ "
                           f"{when(stop.at)} đến khi nhận đủ hồ sơ lúc {when(end)} ({lasted})")
            elif stop.stopped_at is not None or self.facts.finished_at is not None:
                severity = Severity.WARNING
                message = (f"Lần yêu cầu bổ sung thứ {number} (lúc {when(stop.at)}): hồ sơ kết "
                           f"thúc lúc {when(end)} khi vẫn chờ bổ sung ({lasted})")
            else:
                message = (f"Lần yêu cầu bổ sung thứ {number}: đang chờ bổ sung từ "
                           f"{when(stop.at)}, đã {lasted}")
            self.findings.append(Finding(
                Rule.CLOCK_STOP, severity, message, element_id=stop.element_id,
                step_no=self.model.row(stop.element_id), event=stop.seq, minutes=working,
                calendar_minutes=span, officer_id=stop.officer_id))
        if len(self.stops) > 1:
            second = self.stops[1]
            self.findings.append(Finding(
                Rule.MULTI_SUPPLEMENT, Severity.WARNING,
                f"Hồ sơ bị yêu cầu bổ sung {len(self.stops)} lần: yêu cầu bổ sung quá một lần "
                "được tính là giải quyết trễ hạn (Quyết định 766/QĐ-TTg)",
                element_id=second.element_id, step_no=self.model.row(second.element_id),
                event=second.seq, officer_id=second.officer_id))

    def _appointment(self) -> None:
        due = self.facts.first_due_at
        handled = self.facts.result_at or self.facts.finished_at
        moment = handled or self.now
        if due is None or moment <= due:
            return
        minutes = self.calendar.elapsed(due, moment)
        late = f"{working_text(minutes)} làm việc" if minutes else "ngoài giờ làm việc"
        if self.facts.result_at is not None:
            message = (f"Hồ sơ có kết quả lúc {when(moment)}, sau ngày hẹn trả {when(due)}: "
                       f"quá hạn {late}")
        elif handled is not None:
            message = (f"Hồ sơ kết thúc lúc {when(moment)}, sau ngày hẹn trả {when(due)}: "
                       f"quá hạn {late}")
        else:
            message = f"Hồ sơ chưa giải quyết xong, đã quá ngày hẹn trả {when(due)}: {late}"
        self.findings.append(Finding(Rule.LATE_DOSSIER, Severity.WARNING, message,
                                     minutes=minutes))
        # The apology must come while the appointment it moves is still ahead, on the clock
        # run that set it (a complete supplement restarts the clock and the appointment).
        since = self.resumed_at
        in_time = [a for a in self.apologies if a <= due and (since is None or a >= since)]
        if in_time:
            return
        after = [a for a in self.apologies if a > due]
        message = ("Hồ sơ quá hạn nhưng không có văn bản xin lỗi và hẹn lại ngày trả kết quả "
                   f"(Mẫu 04) trước ngày hẹn {when(due)}")
        if after:
            message += f"; văn bản xin lỗi chỉ được lập lúc {when(after[0])}, khi đã quá hạn"
        self.findings.append(Finding(Rule.LATE_WITHOUT_APOLOGY, Severity.ERROR, message))


def replay(facts: Facts, events: Iterable[Event], model: VersionModel,
           calendar: WorkingCalendar, now: datetime, names: Names) -> list[Finding]:
    """The findings of one dossier (``events`` in the order of its history)."""
    return Replay(facts, model, calendar, now, names).run(events)
