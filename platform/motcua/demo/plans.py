"""What happens to each demo dossier, decided before any is created: its procedure, channel
and reception time, how fast its officers work, and which meaning to choose when a step
offers it (a supplement request, a refusal, a send-back), an apology, a stop, or a step
nobody finishes. A plan names meanings and the order in which steps offering them are met,
never a step's id, so it fits any published process."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from motcua.calendar.working_time import TZ, WorkingCalendar
from motcua.demo.people import Applicant, applicant
from motcua.dossiers.models import Channel
from motcua.processes.meanings import Meaning


class Pace(StrEnum):
    """When the dossier's result is handed over, against its appointment."""

    EARLY = "early"  # a day or more before it
    ON_TIME = "on_time"  # on the day of the appointment
    LATE = "late"  # up to three working days after it
    VERY_LATE = "very_late"  # well past the legal time limit


PACES = {Pace.EARLY: 25, Pace.ON_TIME: 50, Pace.LATE: 17, Pace.VERY_LATE: 8}


@dataclass(frozen=True)
class Offer:
    """A procedure open for dossiers, and what its published process lets a plan choose."""

    code: str
    online: bool
    limit_minutes: int
    # How many distinct steps offer each meaning (reception and examination: 2 supplements).
    offers: dict[Meaning, int]
    papers: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    seed: int
    procedure: str
    channel: Channel
    received_at: datetime
    pace: Pace
    applicant: Applicant
    # An applicant account (online dossiers are filed from one).
    account: str | None = None
    # Ask for a supplement at the n-th step offering one (0: the first met, the reception).
    supplement_at: frozenset[int] = frozenset()
    refuse_at: int | None = None
    back: bool = False
    apology: bool = False
    # The dossier is stopped after this many completed steps.
    stop_after: int | None = None
    # The longest step is never completed: the dossier stays open past its appointment.
    stall: bool = False
    # The applicant has not brought what a supplement request asked for by now.
    awaiting: bool = False
    scanned: bool = True


def fates(count: int) -> list[str]:
    """Something of everything the pages count, the rest ordinary dossiers."""
    special = (["refuse"] * max(1, count // 20) + ["stop"] + ["supplement"] * max(1, count // 8)
               + ["supplement_twice"] + ["apology"] * max(1, count // 20)
               + ["back"] * max(1, count // 12) + ["stall"] * max(1, count // 20)
               + ["awaiting"] * max(1, count // 30))
    special = special[:count]
    return special + ["plain"] * (count - len(special))


def _fits(offer: Offer, fate: str) -> bool:
    needs = {"refuse": (Meaning.REFUSE, 1), "supplement": (Meaning.SUPPLEMENT, 1),
             "awaiting": (Meaning.SUPPLEMENT, 1),
             "supplement_twice": (Meaning.SUPPLEMENT, 2), "back": (Meaning.BACK, 1)}
    if fate in needs:
        meaning, at_least = needs[fate]
        return offer.offers.get(meaning, 0) >= at_least
    if fate in ("apology", "stall"):
        return offer.limit_minutes > 0
    return True


def make_plans(rng: random.Random, count: int, offers: Sequence[Offer], accounts: Sequence[str],
               people: dict[str, str], start: datetime, now: datetime,
               calendar: WorkingCalendar, province: str) -> list[Plan]:
    """``count`` plans received between ``start`` and ``now``, in reception order."""
    tags = fates(count)
    rng.shuffle(tags)
    plans = []
    for fate in tags:
        r = random.Random(rng.getrandbits(32))  # noqa: S311 (a demo's dice)
        offer = r.choice([o for o in offers if _fits(o, fate)] or list(offers))
        plans.append(_plan(r, fate, offer, accounts, people, start, now, calendar, province))
    plans = _spread_channels(plans, offers, accounts)
    return sorted(plans, key=lambda p: p.received_at)


def _plan(r: random.Random, fate: str, offer: Offer, accounts: Sequence[str],
          people: dict[str, str], start: datetime, now: datetime,
          calendar: WorkingCalendar, province: str) -> Plan:
    pace = r.choices(list(PACES), weights=list(PACES.values()))[0]
    if fate == "apology":
        pace = r.choice((Pace.LATE, Pace.VERY_LATE))
    roll = r.random()
    channel = (Channel.ONLINE if offer.online and accounts and roll < 0.3
               else Channel.POSTAL if roll > 0.88 else Channel.DIRECT)
    account = r.choice(list(accounts)) if channel is Channel.ONLINE else None
    # Long procedures are mostly asked for by businesses (an investor, a builder).
    organisation = r.random() < (0.6 if offer.limit_minutes >= 5 * 480 else 0.1)
    who = applicant(r, province, organisation=organisation,
                    person=people[account] if account else None)
    supplements = offer.offers.get(Meaning.SUPPLEMENT, 0)
    refusals = offer.offers.get(Meaning.REFUSE, 0)
    return Plan(
        seed=r.getrandbits(32), procedure=offer.code, channel=channel,
        received_at=_reception(r, offer, fate, channel, start, now, calendar), pace=pace,
        applicant=who, account=account,
        supplement_at=(frozenset({0, 1}) if fate == "supplement_twice"
                       else frozenset({r.randrange(supplements)})
                       if fate in ("supplement", "awaiting") and supplements else frozenset()),

        refuse_at=r.randrange(refusals) if fate == "refuse" and refusals else None,
        back=fate == "back", apology=fate == "apology",
        stop_after=r.randint(1, 3) if fate == "stop" else None, stall=fate == "stall",
        awaiting=fate == "awaiting",
        scanned=r.random() < 0.8)


def _reception(r: random.Random, offer: Offer, fate: str, channel: Channel, start: datetime,
               now: datetime, calendar: WorkingCalendar) -> datetime:
    today = now.astimezone(TZ).date()
    first = start.astimezone(TZ).date()
    if fate == "stall":
        # Old enough that its appointment has passed by now, even counted in working days.
        back = offer.limit_minutes / 480 * 1.4 * r.uniform(1.5, 2.5) + 2
        first = max(first, today - timedelta(days=round(back) + 3))
        last = max(first, today - timedelta(days=round(back)))
    else:
        last = max(first, today - timedelta(days=1))
        if fate == "awaiting":
            # Asked for papers in the last fortnight: still within the time one brings them.
            first = max(first, today - timedelta(days=14))
    day = first + timedelta(days=r.randint(0, (last - first).days))
    if channel is Channel.ONLINE and r.random() < 0.25:
        # Filed online in the evening: the desk's time counts from the next working hour.
        at = datetime.combine(day, time(r.randint(18, 22), r.randint(0, 59)), TZ)
    else:
        at = calendar.add(_morning(day, calendar), r.randint(0, 470))
    return min(at, now - timedelta(minutes=1))


def _morning(day: date, calendar: WorkingCalendar) -> datetime:
    return calendar.next_working_minute(datetime.combine(day, time(0, 0), TZ))


def _spread_channels(plans: list[Plan], offers: Sequence[Offer],
                     accounts: Sequence[str]) -> list[Plan]:
    """Among ten dossiers or more, at least one of each channel the procedures allow."""
    if len(plans) < 10:
        return plans
    online = {o.code for o in offers if o.online}
    direct = [i for i, p in enumerate(plans) if p.channel is Channel.DIRECT and not p.stall]
    if direct and not any(p.channel is Channel.POSTAL for p in plans):
        i = direct.pop()
        plans[i] = replace(plans[i], channel=Channel.POSTAL)
    candidates = [i for i in direct if plans[i].procedure in online]
    if accounts and candidates and not any(p.channel is Channel.ONLINE for p in plans):
        i = candidates[-1]
        plans[i] = replace(plans[i], channel=Channel.ONLINE, account=accounts[0])
    return plans
