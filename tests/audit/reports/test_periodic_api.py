"""GET /api/v1/audit/reports/periodic: the report of a period on the province's calendar."""

from __future__ import annotations

from typing import Any

from reports_support import MARCH, SO_TU_PHAP, XA

from support.api import Api, assert_error, fields_of


def test_the_report_of_march(api: Api, march: Any) -> None:
    response = api.get("ks.nga", "/audit/reports/periodic?period=2026-03")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["period"] == {"id": "2026-03", "kind": "monthly", "label": "Tháng 03/2026",
                              "from": "2026-03-01", "to": "2026-03-31"}
    assert {k: body["total"][k] for k in MARCH} == MARCH
    assert {r["key"] for r in body["agencies"]} >= {SO_TU_PHAP, XA}
    assert [r["key"] for r in body["procedures"]] == ["1.001193", "2.000488"]
    months = [r["key"] for r in body["trend"]]
    assert (months[0], months[-1], len(months)) == ("04/2025", "03/2026", 12)
    # Only Sở Tư pháp had a judged dossier: (2 early + 1 on time) / (+ 2 late).
    assert body["ranking"] == [{"name": "Sở Tư pháp", "on_time_rate": 60.0}]
    assert body["tree_head"] is None


def test_by_default_the_last_period_over(api: Api, march: Any) -> None:
    body = api.get("gd.son", "/audit/reports/periodic").get_json()  # now: 10/04/2026
    assert body["period"]["id"] == "2026-03" and body["agency"] == SO_TU_PHAP
    assert body["total"]["carried_over"] == 1  # K, the commune's, is not Sở Tư pháp's
    quarter = api.get("ks.nga", "/audit/reports/periodic?period=2026-Q1").get_json()
    assert quarter["period"]["label"] == "Quý I/2026"
    assert quarter["total"]["received"] == 3 + 7  # February's and March's


def test_bad_period_and_scope(api: Api, march: Any) -> None:
    error = assert_error(api.get("ks.nga", "/audit/reports/periodic?period=March"), 422)
    assert fields_of(error) == {"period"}
    for far in ("0001-01", "9999-12-31"):
        error = assert_error(api.get("ks.nga", f"/audit/reports/periodic?period={far}"), 422)
        assert fields_of(error) == {"period"}
    assert_error(api.get("cv.mai", "/audit/reports/periodic?period=2026-03"), 403)
    assert_error(api.get("xa.chutich", f"/audit/reports/periodic?agency={SO_TU_PHAP}"), 404)
