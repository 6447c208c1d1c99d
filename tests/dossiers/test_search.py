"""GET /api/v1/dossiers: by code and by applicant name without regard to accents and case,
each filter, bad filters, the caps, and visibility: for every user, the search finds exactly
the dossiers whose page ``GET /dossiers/{code}`` opens for them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from motcua.audit.models import AccessLog
from motcua.db import db
from motcua.dossiers.models import Dossier
from motcua.folding import fold
from motcua.history.models import HistoryEvent
from support.api import assert_error, fields_of
from support.clock import FakeClock, local
from support.paths import SAMPLES, load_json
from support.sample import SAMPLE_BPMN
from support.walk import Walker

PROCEDURE = "2.000488"  # Sở Tư pháp, received at the provincial service centre
COMMUNE_PROCEDURE = "1.001193"  # UBND xã Đông Hải, received at the commune's desk
FORM = "to-khai-ly-lich-tu-phap"
JUSTICE = "000.00.12.H99"
COMMUNE = "000.00.20.H99"
PROVINCE = "000.00.00.H99"
CITIZEN = {"username": "cong.dan", "full_name": "Trần Văn Bình", "password": "cong-dan-2026",
           "kind": "applicant", "memberships": []}
OTHER_CITIZEN = {"username": "cong.dan2", "full_name": "Lê Thị Cúc",
                 "password": "cong-dan2-2026", "kind": "applicant", "memberships": []}
# A leader of the province's people's committee: every agency of the sample is below it.
PROVINCE_LEADER = {"username": "ld.tinh", "full_name": "Hà Minh Quang",
                   "password": "lanh-dao-tinh-2026",
                   "memberships": [{"agency": PROVINCE, "role": "leader"}]}
SUMMARY_KEYS = {"code", "procedure", "procedure_name", "agency", "agency_name", "status",
                "channel", "applicant_name", "received_at", "due_at", "first_due_at",
                "finished_at", "current_step", "late"}


@pytest.fixture
def org(province: Callable[..., dict[str, Any]], tmp_path: Path) -> dict[str, Any]:
    """The sample province with its commune procedure published too, on the sample's own
    process: its 1-day limit is lengthened to the 10 days that process's steps take (a
    process longer than the legal limit is refused at publication)."""
    decision = load_json(SAMPLES / "decision.json")
    for procedure in decision["procedures"]:
        if procedure["code"] == COMMUNE_PROCEDURE:
            procedure["time_limit"] = "10d"
    path = tmp_path / "decision.json"
    path.write_text(json.dumps(decision, ensure_ascii=False), encoding="utf-8")
    return province(users=[CITIZEN, OTHER_CITIZEN, PROVINCE_LEADER], decision=path,
                    processes={PROCEDURE: SAMPLE_BPMN, COMMUNE_PROCEDURE: SAMPLE_BPMN})


@pytest.fixture
def walker(org: dict[str, Any], make_walker: Callable[..., Walker]) -> Walker:
    return make_walker(org["users"], SAMPLES / "forms")


def _new(walker: Walker, name: str = "Nguyễn Văn An", user: str = "mc.lan",
         procedure: str = PROCEDURE) -> str:
    code: str = walker.create(user, procedure, FORM, applicant={
        "name": name, "id_number": "001090012345", "phone": "0912345678",
        "address": "Hà Nội"})["code"]
    return code


def _find(walker: Walker, user: str = "ks.nga", **params: Any) -> dict[str, Any]:
    response = walker.api.get(user, "/dossiers", query_string=params)
    assert response.status_code == 200, response.get_json()
    answer: dict[str, Any] = response.get_json()
    return answer


def _codes(walker: Walker, user: str = "ks.nga", **params: Any) -> list[str]:
    return [d["code"] for d in _find(walker, user, limit=100, **params)["items"]]


# --------------------------------------------------------------------------- by code, by name


def test_by_code_exact_or_prefix_case_and_spaces_ignored(walker: Walker) -> None:
    first, second = _new(walker), _new(walker)
    assert _codes(walker, q=first) == [first]
    assert _codes(walker, q=f"  {first.lower()} ") == [first]
    prefix = first[:first.rindex("-") + 1]  # the agency and the day
    assert prefix == second[:len(prefix)]
    assert _codes(walker, q=prefix.lower()) == [second, first]
    # The user's text is literal: LIKE's wildcards match nothing of their own.
    assert _codes(walker, q=first[:5] + "%") == []
    assert _codes(walker, q=first[:3] + "_" + first[4:]) == []
    assert _codes(walker, q=first + "9") == []


def test_by_name_without_regard_to_accents_and_case(walker: Walker) -> None:
    binh = _new(walker, "Nguyễn Văn Bình")
    hoa = _new(walker, "Nguyễn Thị Hòa")
    minh = _new(walker, "Trần Bình Minh")
    dang = _new(walker, "Đặng Thu Trang")
    assert _codes(walker, q="nguyen van binh") == [binh]
    assert _codes(walker, q="NGUYỄN") == [hoa, binh]
    assert _codes(walker, q="binh") == [minh, binh]
    assert _codes(walker, q="  Văn   BÌNH ") == [binh]
    assert _codes(walker, q="dang thu") == [dang]  # đ folds to d
    # Words in their order, with others between them.
    assert _codes(walker, q="nguyen binh") == [binh]
    assert _codes(walker, q="nguyen hoa") == [hoa]
    assert _codes(walker, q="binh nguyen") == []
    assert _codes(walker, q="hoa") == [hoa]
    assert _codes(walker, q="nguyen_van") == [] and _codes(walker, q="%") == []
    assert _codes(walker, q="Lê") == []


# --------------------------------------------------------------------------- filters


def test_status_procedure_and_agency_filters(walker: Walker) -> None:
    waiting = _new(walker)
    accepted = _new(walker)
    walker.complete("mc.lan", accepted, "accept")
    refused = _new(walker)
    walker.complete("mc.lan", refused, "refuse", note="Không thuộc thẩm quyền")
    commune = _new(walker, user="xa.hoa", procedure=COMMUNE_PROCEDURE)
    assert _codes(walker, status="received") == [commune, waiting]
    assert _codes(walker, status="processing") == [accepted]
    assert _codes(walker, status=["refused", "processing"]) == [refused, accepted]
    assert _codes(walker, status="refused, processing") == [refused, accepted]
    assert _codes(walker, procedure=COMMUNE_PROCEDURE) == [commune]
    assert _codes(walker, procedure=PROCEDURE, status="received") == [waiting]
    # An agency and the agencies below it.
    assert _codes(walker, agency=COMMUNE) == [commune]
    assert _codes(walker, agency=JUSTICE) == [refused, accepted, waiting]
    assert _codes(walker, agency=PROVINCE) == [commune, refused, accepted, waiting]
    assert _codes(walker, agency="000.12.12.H99") == []  # the unit handles, Sở decides


def test_period_in_local_days_and_newest_first(walker: Walker, clock: FakeClock) -> None:
    clock.set(local(2026, 3, 16, 6, 30))  # Monday, 23:30 on Sunday in UTC
    monday = _new(walker)
    clock.set(local(2026, 3, 17, 23, 50))
    tuesday = _new(walker)
    clock.set(local(2026, 3, 18, 0, 10))
    wednesday = _new(walker)
    assert _codes(walker, **{"from": "2026-03-16", "to": "2026-03-16"}) == [monday]
    assert _codes(walker, **{"from": "2026-03-17", "to": "2026-03-17"}) == [tuesday]
    assert _codes(walker, **{"from": "2026-03-17"}) == [wednesday, tuesday]
    assert _codes(walker, to="2026-03-17") == [tuesday, monday]
    assert _codes(walker, **{"from": "2026-03-15", "to": "2026-03-15"}) == []
    answer = _find(walker)
    assert [d["code"] for d in answer["items"]] == [wednesday, tuesday, monday]
    assert answer["items"][0]["received_at"] == "2026-03-18T00:10:00+07:00"


def test_late_filter_as_of_now(walker: Walker, clock: FakeClock) -> None:
    old = _new(walker)
    walker.complete("mc.lan", old, "accept")
    clock.advance(days=15)  # past its 10 working days
    fresh = _new(walker)
    assert _codes(walker, late="true") == [old]
    assert _codes(walker, late="false") == [fresh]
    items = {d["code"]: d["late"] for d in _find(walker)["items"]}
    assert items == {old: True, fresh: False}


def test_summary_has_no_other_personal_data(walker: Walker) -> None:
    code = _new(walker, "Nguyễn Văn Bình")
    response = walker.api.get("ks.nga", "/dossiers", query_string={"q": code})
    answer = response.get_json()
    assert set(answer) == {"items", "total"} and answer["total"] == 1
    (item,) = answer["items"]
    assert set(item) == SUMMARY_KEYS
    assert item["applicant_name"] == "Nguyễn Văn Bình"
    assert item["procedure"] == PROCEDURE and item["agency"] == JUSTICE
    assert item["agency_name"] == "Sở Tư pháp" and item["status"] == "received"
    assert item["channel"] == "direct" and item["late"] is False
    body = response.get_data(as_text=True)
    for secret in ("001090012345", "0912345678", "Hà Nội"):
        assert secret not in body


# --------------------------------------------------------------------------- bad filters


@pytest.mark.parametrize(("params", "field"), [
    ({"status": "waiting"}, "status"),
    ({"status": ["received", "lost"]}, "status"),
    ({"status": "received,lost"}, "status"),
    ({"procedure": "9.999999"}, "procedure"),
    ({"agency": "000.99.99.H99"}, "agency"),
    ({"from": "2026-02-30"}, "from"),
    ({"to": "16/03/2026"}, "to"),
    ({"from": "2026-03-17", "to": "2026-03-16"}, "to"),
    ({"from": "0999-01-01"}, "from"),
    ({"to": "9999-12-31"}, "to"),
    ({"late": "maybe"}, "late"),
    ({"limit": "0"}, "limit"),
    ({"limit": "101"}, "limit"),
    ({"limit": "ten"}, "limit"),
    ({"offset": "-1"}, "offset"),
    ({"offset": "10001"}, "offset"),
    ({"q": "a" * 101}, "q"),
    # PostgreSQL compares no text with a NUL: refused before any query.
    ({"q": "binh\x00"}, "q"),
    ({"q": "\x00"}, "q"),
    ({"procedure": "2.000488\x00"}, "procedure"),
    ({"agency": "\x00"}, "agency"),
])
def test_bad_filters_are_422_naming_the_field(walker: Walker, params: dict[str, Any],
                                              field: str) -> None:
    error = assert_error(walker.api.get("ks.nga", "/dossiers", query_string=params), 422)
    assert fields_of(error) == {field}


@pytest.mark.parametrize(("params", "message"), [
    ({"q": "a" * 101}, "Tối đa 100 ký tự"), ({"procedure": "1" * 65}, "Tối đa 64 ký tự"),
    ({"agency": "1" * 33}, "Tối đa 32 ký tự"), ({"limit": "x"}, "Không phải số nguyên"),
])
def test_errors_are_worded_in_vietnamese(walker: Walker, params: dict[str, Any],
                                         message: str) -> None:
    error = assert_error(walker.api.get("ks.nga", "/dossiers", query_string=params), 422)
    assert [d["message"] for d in error["details"]] == [message]


def test_anonymous_is_401(walker: Walker) -> None:
    assert_error(walker.api.get(None, "/dossiers"), 401)


# --------------------------------------------------------------------------- caps


def _copies(code: str, count: int) -> None:
    """``count`` rows like dossier ``code`` (same agency, procedure and desk), straight into
    the table: a cap of 10,000 is not reached through the API in a test."""
    table = Dossier.__table__
    row = dict(db.session.execute(select(table).where(table.c.code == code)).mappings().one())
    row.pop("id")
    name = "Phạm Văn Đông"
    db.session.execute(insert(table), [
        {**row, "code": f"BULK-{i:05d}", "applicant_name": name,
         "applicant_name_search": fold(name)} for i in range(count)])


def test_total_is_capped_at_ten_thousand(walker: Walker) -> None:
    seed = _new(walker)
    _copies(seed, 10_005)
    for user in ("ks.nga", "gd.son"):  # province-wide, and through the leader's rule
        answer = _find(walker, user)
        assert answer["total"] == 10_000 and answer["total_capped"] is True
        assert len(answer["items"]) == 20
    last = _find(walker, limit=100, offset=10_000)
    assert len(last["items"]) == 6  # 10,006 rows in all
    assert len(_find(walker, limit=100)["items"]) == 100
    # Same received_at: the newer row (higher id) first, the seed (lowest id) last.
    assert last["items"][-1]["code"] == seed
    narrow = _find(walker, q="bulk-0000")
    assert narrow["total"] == 10 and "total_capped" not in narrow


# --------------------------------------------------------------------------- visibility


def _walk_to_return(walker: Walker, code: str) -> None:
    walker.complete("mc.lan", code, "accept")
    walker.complete("tp.hung", code, None, assignee="cv.dung")
    walker.complete("cv.dung", code, "approve")
    walker.complete("tp.hung", code, "agree")
    walker.complete("gd.son", code, "sign")
    walker.complete("vt.ha", code)
    walker.complete("mc.tuan", code)


def test_everyone_finds_exactly_the_dossiers_they_may_open(walker: Walker,
                                                           org: dict[str, Any]) -> None:
    at_desk = _new(walker)
    examined = _new(walker)
    walker.complete("mc.lan", examined, "accept")
    walker.complete("tp.hung", examined, None, assignee="cv.mai")
    returned = _new(walker)
    _walk_to_return(walker, returned)
    online: str = walker.create("cong.dan", PROCEDURE, FORM, channel="online",
                                applicant={})["code"]
    commune = _new(walker, user="xa.hoa", procedure=COMMUNE_PROCEDURE)
    every = {at_desk, examined, returned, online, commune}
    assert _find(walker, "ks.nga", status="returned")["items"][0]["code"] == returned

    found: dict[str, set[str]] = {}
    for user in (u["username"] for u in org["users"]):
        found[user] = set(_codes(walker, user))
        opens = {c for c in every
                 if walker.api.get(user, f"/dossiers/{c}").status_code == 200}
        assert found[user] == opens, user
    # The rule itself: auditors and the province's leader everything, a leader their
    # agency, workers what they worked on or may pick up, applicants their own.
    justice = {at_desk, examined, returned, online}
    assert found["ks.nga"] == found["ld.tinh"] == every
    assert found["gd.son"] == found["qt.binh"] == justice
    assert found["mc.lan"] == found["mc.tuan"] == justice  # their desk received them all
    assert found["xa.chutich"] == found["xa.hoa"] == {commune}
    assert found["tp.hung"] == {examined, returned}
    assert found["cv.mai"] == {examined}
    assert found["cv.dung"] == found["vt.ha"] == {returned}
    assert found["cong.dan"] == {online}
    assert found["cong.dan2"] == set()
    # Filters only narrow what the rule lets through.
    assert _codes(walker, "gd.son", agency=COMMUNE) == []
    assert _codes(walker, "cong.dan", q="000") == [online]


def test_an_auditors_search_is_logged_apart_from_the_history(walker: Walker) -> None:
    code = _new(walker, "Nguyễn Văn Bình")
    events = db.session.scalar(select(func.count()).select_from(HistoryEvent))
    logged = db.session.scalar(select(func.count()).select_from(AccessLog))
    assert _codes(walker, "ks.nga", q="van binh") == [code]
    rows = list(db.session.scalars(select(AccessLog).order_by(AccessLog.id)))
    assert len(rows) == (logged or 0) + 1
    read = rows[-1]
    assert read.method == "GET" and read.status == 200
    assert read.path.startswith("/api/v1/dossiers?") and "binh" in read.path
    assert db.session.scalar(select(func.count()).select_from(HistoryEvent)) == events
    # An officer's search is not the auditors' log's business.
    _codes(walker, "gd.son", q="van binh")
    assert db.session.scalar(select(func.count()).select_from(AccessLog)) == len(rows)


def test_openapi_documents_the_filters_and_the_summary(walker: Walker) -> None:
    spec = walker.api.get(None, "/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/dossiers"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "status", "procedure", "agency", "from", "to", "late", "limit",
            "offset"} <= names
    assert "post" in spec["paths"]["/api/v1/dossiers"]  # receiving stays beside it
    summary = spec["components"]["schemas"]["DossierSummary"]["properties"]
    assert set(summary) == SUMMARY_KEYS
