"""Demo dossiers for ``motcua demo``: a few months of one-stop work before "now", so that the
auditors' and leaders' pages (statistics, indicators, conformance, search) show real data.

Every dossier goes through the platform's own operations: ``tasks.reception.receive``,
``tasks.operations.complete``, ``dossiers.operations.extend_due`` and ``stop_dossier``, and
the worker's ``fire_due_timers`` and ``mark_overdue`` between steps. The steps of all dossiers
run in the order they happened, each with the platform clock set to its moment, so histories,
hash chains, codes and counters are what officers would have left. What a step offers
(outcomes and their meanings, forms, roles and units, allotted times) is read from the
published process; a plan (``demo.plans``) only says which meaning to choose and how fast
the officers work. Seeded: the same count gives the same dossiers, relative to "now"."""

from __future__ import annotations

import importlib.util
import random
import time
from collections import Counter
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from motcua.calendar.operations import load_calendar
from motcua.calendar.working_time import TZ
from motcua.catalog.operations import get_procedure, require_open
from motcua.clock import now as clock_now
from motcua.db import db
from motcua.demo.plans import Offer, make_plans
from motcua.demo.run import Run
from motcua.dossiers.models import FINISHED, Channel, Dossier, DossierStatus
from motcua.errors import AppError
from motcua.org.models import Province
from motcua.org.operations import import_org
from motcua.processes.operations import compiled, version_in_effect

SEED = 2026
WINDOW_DAYS = 120
# Applicant accounts the online dossiers are filed from (they can sign in to follow them).
ACCOUNTS = {"cd.binh": "Nguyễn Văn Bình", "cd.hoa": "Trần Thị Hoa",
            "cd.khanh": "Lê Quốc Khánh", "cd.ngoc": "Phạm Thị Bích Ngọc"}
# Published like the demo officers' passwords (demo/data/org.json): a demo, not a secret.
ACCOUNT_PASSWORD = "demo-CongDan-2026"  # noqa: S105


def load_demo_dossiers(count: int, library: list[str]) -> str:
    """Create ``count`` dossiers of the ``library``'s procedures (skipped, and said so, when
    the database already holds dossiers); one line saying what was made."""
    existing = db.session.scalar(select(func.count()).select_from(Dossier)) or 0
    if existing:
        return f"Hồ sơ mẫu: đã có {existing} hồ sơ, không tạo thêm"
    started = time.perf_counter()
    now = clock_now()
    calendar = load_calendar()
    offers, floor = _offers(library, now)
    if not offers or count <= 0:
        return "Hồ sơ mẫu: không có thủ tục nào đang nhận hồ sơ, không tạo hồ sơ"
    province = db.session.scalar(select(Province.name).limit(1)) or ""
    _applicant_accounts()
    start = max(now - timedelta(days=WINDOW_DAYS), floor)
    # Seeded, not secret: the same demo every time.
    rng = random.Random(SEED)  # noqa: S311
    plans = make_plans(rng, count, offers, list(ACCOUNTS), ACCOUNTS, start, now, calendar,
                       province)
    run = Run(current_app._get_current_object(), now, calendar,  # type: ignore[attr-defined]
              {o.code: o for o in offers})
    ids = run.go(plans)
    sealed = _seal(now)
    return _summary(ids, start, now, time.perf_counter() - started) + sealed


def _offers(library: list[str], now: datetime) -> tuple[list[Offer], datetime]:
    """The library's procedures open for dossiers now, and the first moment all of them
    were (their decision and process version in force since)."""
    offers, floor = [], now - timedelta(days=WINDOW_DAYS)
    for code in library:
        procedure = get_procedure(code)
        try:
            revision = require_open(procedure, now)
            version = version_in_effect(procedure, now.astimezone(TZ).date())
        except AppError:
            continue
        steps = compiled(version.id).steps.values()
        counts = Counter(m for s in steps for m in s.meanings)
        offers.append(Offer(code, revision.online_level != "none", revision.time_limit_minutes,
                            dict(counts), tuple(d["name"] for d in revision.documents or [])))
        for since in (revision.effective, version.effective):
            if since is not None:
                floor = max(floor, datetime(since.year, since.month, since.day, tzinfo=TZ))
    return offers, floor


def _applicant_accounts() -> None:
    """The citizens' accounts, through the organisation import like any other account."""
    province = db.session.scalars(select(Province).limit(1)).one()
    import_org({"province": {"code": province.code, "name": province.name,
                             "working_hours": province.working_hours},
                "agencies": [],
                "users": [{"username": u, "full_name": n, "password": ACCOUNT_PASSWORD,
                           "kind": "applicant", "memberships": []}
                          for u, n in ACCOUNTS.items()]})


def _seal(now: datetime) -> str:
    """Today's signed tree head, when the platform can make one, so the integrity page has a
    head to show. The audit package is imported only here, and only if it is there: the demo
    runs from the CLI alone, and nothing in the platform imports it."""
    if importlib.util.find_spec("motcua.audit.integrity.seal") is None:
        return ""
    from motcua.audit.integrity import seal, signing

    try:
        sealed = seal.seal(now.astimezone(TZ).date(), now)
    except (AppError, signing.SigningKeyError) as exc:
        return f"; chưa ký được đầu cây: {getattr(exc, 'message', exc)}"
    return f". {sealed.summary()}"


def _summary(ids: list[int], start: datetime, now: datetime, seconds: float) -> str:
    rows = db.session.execute(select(
        Dossier.status, Dossier.channel, Dossier.supplement_count, Dossier.apology_count,
        Dossier.first_due_at).where(Dossier.id.in_(ids))).all()
    status = Counter(r.status for r in rows)
    channel = Counter(r.channel for r in rows)
    still_open = [r for r in rows if r.status not in FINISHED]
    late = sum(1 for r in still_open if r.first_due_at is not None and r.first_due_at < now)
    first, last = start.astimezone(TZ), now.astimezone(TZ)
    elapsed = f"{seconds:.1f}".replace(".", ",")
    return (f"Hồ sơ mẫu: đã tạo {len(rows)} hồ sơ tiếp nhận từ {first:%d/%m/%Y} đến "
            f"{last:%d/%m/%Y} (trực tiếp {channel[Channel.DIRECT]}, trực tuyến "
            f"{channel[Channel.ONLINE]}, bưu chính {channel[Channel.POSTAL]}): đã trả kết quả "
            f"{status[DossierStatus.RETURNED]}, từ chối {status[DossierStatus.REFUSED]}, dừng "
            f"{status[DossierStatus.STOPPED]}, đang giải quyết {len(still_open)} (quá hạn "
            f"{late}); có yêu cầu bổ sung {sum(1 for r in rows if r.supplement_count)}, "
            f"có xin lỗi hẹn lại {sum(1 for r in rows if r.apology_count)}; {elapsed} giây")
