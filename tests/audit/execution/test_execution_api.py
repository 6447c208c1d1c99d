"""GET /api/v1/audit/dossiers/{code}, /audit/execution and /audit/execution/dossiers: who may
read them, their errors, and the aggregation's figures checked against three lifecycles
counted by hand."""

from __future__ import annotations

from typing import Any

import pytest
from execution_support import AGENCY, Life, rewrite, three_lives

from motcua.audit.execution import aggregate as figures
from support.api import assert_error
from support.clock import FakeClock
from support.walk import Walker
from support.web import Browser, text

FIGURES = ("dossiers", "with_findings", "late_steps", "late_minutes", "outside_model",
           "outside_lane", "late_without_apology", "clock_stops", "multi_supplement")


def test_the_auditor_reads_a_dossiers_findings_and_chain(walker: Walker, clock: FakeClock,
                                                        api: Any) -> None:
    life = Life(walker, clock).receive().through(0, 0)
    clock.advance(days=14)
    life.through(1)
    answer = api.get("ks.nga", f"/audit/dossiers/{life.code}")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert (body["code"], body["chain"]) == (life.code, "intact")
    assert [f["rule"] for f in body["findings"]] == ["late_step", "late_dossier",
                                                     "late_without_apology"]
    late = body["findings"][0]
    assert late == {"rule": "late_step", "severity": "warning", "element_id": "Task_Examine",
                    "event": life.event("Task_Examine").seq, "minutes": 1500,
                    "message": late["message"]}
    rewrite(life.event("Task_Review"), note="Đã sửa")
    assert api.get("ks.nga", f"/audit/dossiers/{life.code}").get_json()["chain"] == "broken"


@pytest.mark.parametrize("username", ["cv.mai", "gd.son", "mc.lan", "qt.binh"])
def test_only_auditors_read_a_dossiers_execution(walker: Walker, clock: FakeClock, api: Any,
                                                 username: str) -> None:
    life = Life(walker, clock).receive()
    assert_error(api.get(username, f"/audit/dossiers/{life.code}"), 403)
    assert_error(api.get(username, "/audit/execution"), 403)
    assert_error(api.get(username, "/audit/execution/dossiers?key=x"), 403)


def test_unknown_dossier_and_anonymous_reader(app: Any, sample: Any, api: Any) -> None:
    assert_error(api.get("ks.nga", "/audit/dossiers/000.00.12.H99-260316-9999"), 404)
    # A NUL (PostgreSQL refuses to compare with one) is refused before any view, not a 500.
    assert_error(api.get("ks.nga", "/audit/dossiers/000.00.12.H99%00"), 422)
    for group in ("agency", "procedure", "officer"):
        answer = api.get("ks.nga", f"/audit/execution/dossiers?group={group}&key=a%00b")
        assert answer.status_code == 422
    page = Browser(app, "ks.nga")
    assert page.get("/audit/dossiers/000.00.12.H99%00").status_code == 422
    assert_error(api.get(None, "/audit/dossiers/000.00.12.H99-260316-9999"), 401)
    assert_error(api.get(None, "/audit/execution"), 401)


@pytest.mark.parametrize(("query", "status", "field"), [
    ("group=unit", 422, "group"), ("from=16/03/2026", 422, "from"),
    ("from=2026-03-20&to=2026-03-19", 422, "to"), ("from=2020-01-01&to=2026-01-01", 422, "to"),
    ("agency=000.99.99.H99", 404, None), ("procedure=9.999999", 404, None),
    ("officer=nobody", 404, None), ("from=0001-01-01", 422, "from"),
    ("to=9999-12-31", 422, "to"), ("procedure=2.000488%00", 422, "procedure"),
    ("officer=ks.nga%00", 422, "officer"), ("agency=%00", 422, "agency"),
])
def test_bad_filters_are_named(sample: Any, api: Any, query: str, status: int,
                               field: str | None) -> None:
    error = assert_error(api.get("ks.nga", f"/audit/execution?{query}"), status)
    if field is not None:
        assert [d["field"] for d in error["details"]] == [field]
    drill = assert_error(api.get("ks.nga", f"/audit/execution/dossiers?key=x&{query}"), status)
    assert drill["code"] == error["code"]
    missing = assert_error(api.get("ks.nga", "/audit/execution/dossiers?group=agency"), 422)
    assert [d["field"] for d in missing["details"]] == ["key"]


@pytest.fixture
def three(walker: Walker, clock: FakeClock) -> dict[str, str]:
    return three_lives(walker, clock)


def _figures(row: dict[str, Any]) -> tuple[int, ...]:
    return tuple(row[name] for name in FIGURES)


def test_the_aggregation_per_agency_procedure_and_officer(three: dict[str, str],
                                                          api: Any) -> None:
    by_agency = api.get("ks.nga", "/audit/execution").get_json()
    assert by_agency["group"] == "agency"
    [row] = by_agency["rows"]
    assert (row["key"], row["name"]) == (AGENCY, "Sở Tư pháp")
    assert _figures(row) == (3, 2, 1, 1500, 1, 1, 1, 2, 1)
    [procedure] = api.get("ks.nga", "/audit/execution?group=procedure").get_json()["rows"]
    assert procedure["key"] == "2.000488" and _figures(procedure) == _figures(row)

    officers = {r["key"]: r for r in
                api.get("ks.nga", "/audit/execution?group=officer").get_json()["rows"]}
    assert set(officers) == {"mc.lan", "tp.hung", "cv.mai", "gd.son", "vt.ha"}
    assert officers["cv.mai"]["name"] == "Phạm Thị Mai"
    assert _figures(officers["cv.mai"]) == (3, 2, 1, 1500, 0, 1, 0, 1, 1)
    assert _figures(officers["tp.hung"]) == (3, 1, 0, 0, 1, 0, 0, 0, 0)
    assert _figures(officers["mc.lan"]) == (3, 0, 0, 0, 0, 0, 0, 1, 0)
    assert _figures(officers["gd.son"]) == (3, 0, 0, 0, 0, 0, 0, 0, 0)


def test_the_aggregations_filters(three: dict[str, str], api: Any) -> None:
    def rows(query: str) -> list[dict[str, Any]]:
        answer = api.get("ks.nga", f"/audit/execution?{query}")
        assert answer.status_code == 200, answer.get_json()
        return list(answer.get_json()["rows"])

    [since] = rows("from=2026-03-31&to=2026-04-01")  # A and C
    assert _figures(since) == (2, 1, 0, 0, 0, 1, 0, 2, 1)
    [hers] = rows("officer=cv.mai")
    assert _figures(hers) == (3, 2, 1, 1500, 0, 1, 0, 1, 1)
    [province] = rows("agency=000.00.00.H99")  # the province's root: Sở Tư pháp below it
    assert province["key"] == AGENCY and province["dossiers"] == 3
    assert rows("agency=000.00.20.H99") == []  # a commune: none of its dossiers
    assert rows("procedure=1.001193") == []
    assert rows("to=2026-03-15") == []


def test_the_dossiers_behind_a_row(three: dict[str, str], api: Any) -> None:
    answer = api.get("ks.nga", f"/audit/execution/dossiers?group=agency&key={AGENCY}")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["total"] == 2
    assert [i["code"] for i in body["items"]] == [three["B"], three["C"]]
    theirs = api.get("ks.nga", "/audit/execution/dossiers?group=officer&key=tp.hung").get_json()
    [item] = theirs["items"]
    assert item["code"] == three["B"]
    assert [f["rule"] for f in item["findings"]] == ["outside_model"]
    none = api.get("ks.nga", "/audit/execution/dossiers?group=officer&key=mc.lan").get_json()
    assert none == {"items": [], "total": 0}
    unknown = api.get("ks.nga", "/audit/execution/dossiers?group=agency&key=zzz").get_json()
    assert unknown == {"items": [], "total": 0}


def test_too_many_dossiers_at_once_are_refused(three: dict[str, str], api: Any, app: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(figures, "MAX_DOSSIERS", 2)
    error = assert_error(api.get("ks.nga", "/audit/execution"), 422)
    assert [d["field"] for d in error["details"]] == ["from"]
    assert api.get("ks.nga", "/audit/execution?from=2026-03-31").status_code == 200
    page = Browser(app, "ks.nga").get("/audit/execution?from=2026-03-01")
    assert page.status_code == 422 and "Hơn 2 hồ sơ" in text(page)
