"""GET /api/v1/audit/conformance and its province summary: who may read them, what they
answer, and the contract's errors for what cannot be answered."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conformance_builders import CODE, STEPS

from motcua.processes.models import ProcessVersion
from support.api import Api, assert_error, fields_of


def test_an_auditor_reads_a_procedures_findings(api: Api,
                                                procedure: Callable[..., ProcessVersion]
                                                ) -> None:
    steps = [dict(s, time="1d") if s["no"] == 3 else s for s in STEPS]
    version = procedure(steps=steps)
    response = api.get("ks.nga", f"/audit/conformance?procedure={CODE}&date=2026-03-16")
    assert response.status_code == 200, response.get_json()
    answer = response.get_json()
    assert {k: answer[k] for k in ("procedure", "process_version", "decision", "date",
                                   "status", "errors", "warnings")} == {
        "procedure": CODE, "process_version": version.version, "decision": "1/QĐ-KT",
        "date": "2026-03-16", "status": "deviating", "errors": 1, "warnings": 0}
    [finding] = answer["findings"]
    assert {k: finding[k] for k in ("rule", "severity", "element_id", "step_no")} == {
        "rule": "decision-step-time", "severity": "error", "element_id": "Task_Examine",
        "step_no": "3"}
    assert finding["message"] and finding["suggestion"]


def test_the_date_defaults_to_today_and_reads_the_state_of_that_day(sample: dict[str, Any],
                                                                    api: Api) -> None:
    # 1.001193 is in force from 10 March with no process.
    today = api.get("ks.nga", "/audit/conformance?procedure=1.001193").get_json()
    assert (today["date"], today["status"]) == ("2026-03-16", "no_process")
    assert [f["rule"] for f in today["findings"]] == ["no-published-process"]
    # On 9 March no decision about it had taken effect: nothing to compare with.
    error = assert_error(api.get("ks.nga", "/audit/conformance?procedure=1.001193&"
                                           "date=2026-03-09"), 422)
    assert fields_of(error) == {"date"}


@pytest.mark.parametrize("user", ["cv.mai", "gd.son", "qt.binh", "mc.lan"])
def test_officers_are_refused(sample: dict[str, Any], api: Api, user: str) -> None:
    assert_error(api.get(user, "/audit/conformance?procedure=2.000488"), 403)
    assert_error(api.get(user, "/audit/conformance/summary"), 403)
    # Refused before anything is read: a bad date tells them nothing more.
    assert_error(api.get(user, "/audit/conformance?procedure=2.000488&date=x"), 403)


def test_no_token_is_401(sample: dict[str, Any], api: Api) -> None:
    assert_error(api.get(None, "/audit/conformance?procedure=2.000488"), 401)


def test_an_unknown_procedure_is_404(sample: dict[str, Any], api: Api) -> None:
    assert_error(api.get("ks.nga", "/audit/conformance?procedure=9.999999"), 404)


@pytest.mark.parametrize("query", ["date=2026-02-30", "date=16/03/2026", "date=2026-3-16",
                                   "date=20260316", "date=%00", "date=2026-03-16T00:00",
                                   "date=9999-12-31", "date=0001-01-01"])
def test_a_bad_date_is_422(sample: dict[str, Any], api: Api, query: str) -> None:
    error = assert_error(api.get("ks.nga", f"/audit/conformance?procedure=2.000488&{query}"),
                         422)
    assert fields_of(error) == {"date"}
    error = assert_error(api.get("ks.nga", f"/audit/conformance/summary?{query}"), 422)
    assert fields_of(error) == {"date"}


def test_a_missing_procedure_is_422(sample: dict[str, Any], api: Api) -> None:
    assert fields_of(assert_error(api.get("ks.nga", "/audit/conformance"), 422)) == {
        "procedure"}


def test_the_summary_counts_the_province(api: Api,
                                         procedure: Callable[..., ProcessVersion]) -> None:
    procedure()
    answer = api.get("ks.nga", "/audit/conformance/summary?date=2026-03-16").get_json()
    items = {i["procedure"]: i for i in answer["items"]}
    assert set(items) == {CODE, "2.000488", "1.001193"}
    assert answer["total"] == 3 and "findings" not in items[CODE]
    assert answer["statuses"] == {"conforming": 2, "deviating": 0, "no_process": 1}
    assert (items[CODE]["errors"], items[CODE]["warnings"]) == (0, 0)
    assert (items["2.000488"]["errors"], items["2.000488"]["warnings"]) == (0, 7)
    assert answer["errors"] == 1 and answer["warnings"] == 7
    # Filters: with findings only, by code or name without accents, by agency (its subtree).
    with_findings = api.get("ks.nga", "/audit/conformance/summary?with_findings=true")
    assert {i["procedure"] for i in with_findings.get_json()["items"]} == {"2.000488",
                                                                          "1.001193"}
    by_name = api.get("ks.nga", "/audit/conformance/summary?q=ly lich tu phap").get_json()
    assert [i["procedure"] for i in by_name["items"]] == ["2.000488"]
    commune = api.get("ks.nga", "/audit/conformance/summary?agency=000.00.20.H99").get_json()
    assert [i["procedure"] for i in commune["items"]] == ["1.001193"]
    province = api.get("ks.nga", "/audit/conformance/summary?agency=000.00.00.H99").get_json()
    assert province["total"] == 3


def test_the_summary_refuses_what_it_cannot_read(sample: dict[str, Any], api: Api) -> None:
    assert_error(api.get("ks.nga", "/audit/conformance/summary?agency=999.99.99.H99"), 404)
    # A NUL (PostgreSQL refuses to compare with one) is refused before any view, not a 500.
    assert_error(api.get("ks.nga", "/audit/conformance/summary?agency=000.00.12.H99%00"), 422)
    assert_error(api.get("ks.nga", "/audit/conformance?procedure=2.000488%00"), 422)
    error = assert_error(api.get("ks.nga", "/audit/conformance/summary?with_findings=yes"),
                         422)
    assert fields_of(error) == {"with_findings"}
