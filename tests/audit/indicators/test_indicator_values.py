"""The indicators' figures against the month worked out by hand (conftest.py), the drill-down
against exactly the numerator's dossiers, no-data groups as null, and the weights."""

from __future__ import annotations

from typing import Any

import pytest
from indicator_month import (
    EXPECTED,
    EXPECTED_PROVINCE,
    MARCH,
    NUMERATOR_ROWS,
    PHONG,
    SO_TU_PHAP,
)

from motcua.audit.indicators.formulas import BY_KEY, INDICATORS
from motcua.audit.settings import put_setting
from motcua.db import db
from motcua.org.models import User
from support.api import Api
from support.clock import FakeClock, local

NO_DATA = {"publicity", "online_payment", "data_reuse", "feedback_on_time", "satisfaction"}


def figures(api: Api, user: str, query: str) -> dict[str, Any]:
    answer = api.get(user, f"/audit/indicators?{query}")
    assert answer.status_code == 200, answer.get_json()
    body: dict[str, Any] = answer.get_json()
    return body


def by_key(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["key"]: i for i in body["indicators"]}


def test_every_figure_matches_the_hand_count(api: Api, month: dict[str, str]) -> None:
    body = figures(api, "ks.nga", f"agency={SO_TU_PHAP}&{MARCH}")
    assert (body["agency"], body["from"], body["to"]) == (SO_TU_PHAP, "2026-03-01",
                                                           "2026-03-31")
    # Open dossiers are judged at the end of the period, which is over.
    assert body["measured_at"] == "2026-04-01T00:00:00+07:00"
    found = by_key(body)
    for key, (numerator, denominator) in EXPECTED.items():
        assert (found[key]["numerator"], found[key]["denominator"]) == (numerator, denominator), key
    assert found["on_time"]["value"] == round(3 / 7 * 100, 2)
    assert found["handling_days"]["value"] == 9
    assert found["handling_days"]["unit"] == "ngày làm việc"
    assert found["online_submission"]["value"] == round(2 / 7 * 100, 2)
    assert found["digitised_dossiers"]["value"] == 37.5
    assert found["digitised_results"]["value"] == 40
    assert found["procedures_online"]["value"] == round(2 / 3 * 100, 2)
    assert found["procedures_full_online"]["value"] == round(1 / 3 * 100, 2)


def test_the_province_adds_every_agency(api: Api, month: dict[str, str]) -> None:
    body = figures(api, "ks.nga", MARCH)
    assert body["agency"] is None
    found = by_key(body)
    for key, (numerator, denominator) in EXPECTED_PROVINCE.items():
        assert (found[key]["numerator"], found[key]["denominator"]) == (numerator, denominator), key


def test_data_we_do_not_hold_is_null_never_zero(api: Api, month: dict[str, str]) -> None:
    body = figures(api, "ks.nga", MARCH)
    for key, item in by_key(body).items():
        if key in NO_DATA:
            assert item["no_data"] is True, key
            assert (item["numerator"], item["denominator"], item["value"]) == (None, None, None)
        else:
            assert item["no_data"] is False, key
    groups = {g["key"]: g for g in body["groups"]}
    for group in ("publicity", "satisfaction"):
        assert groups[group]["points"] is None and groups[group]["no_data"] is True
    assert set(body["total"]["missing"]) == {"publicity", "satisfaction"}
    assert set(body["total"]["covers"]) == {"progress", "online", "digitisation"}


def test_group_points_weigh_attainment_against_thresholds(api: Api,
                                                          month: dict[str, str]) -> None:
    groups = {g["key"]: g for g in figures(api, "ks.nga", f"agency={SO_TU_PHAP}&{MARCH}")
              ["groups"]}
    # Default weights 18/20/22/22/18. Progress: on time 3/7 against 100 % (the average
    # time is not scored). Online: procedures 66.67 % of 80 %, full-online 33.33 % of
    # 100 %, submitted 28.57 % of 50 %. Digitisation: 37.5 % and 40 %, each of 80 %.
    progress = 20 * (3 / 7)
    online = 22 * ((200 / 3) / 80 + (100 / 3) / 100 + (200 / 7) / 50) / 3
    digitisation = 22 * (37.5 / 80 + 40 / 80) / 2
    assert groups["progress"]["points"] == round(progress, 2)
    assert groups["progress"]["covers"] == ["on_time"]
    assert groups["online"]["points"] == round(online, 2)
    assert groups["online"]["missing"] == ["online_payment"]
    assert groups["digitisation"]["points"] == round(digitisation, 2)
    body = figures(api, "ks.nga", f"agency={SO_TU_PHAP}&{MARCH}")
    assert body["total"]["points"] == round(progress + online + digitisation, 2)
    assert body["total"]["out_of"] == 64


def test_weights_come_from_the_settings(api: Api, month: dict[str, str],
                                        clock: FakeClock) -> None:
    auditor = db.session.query(User).filter_by(username="ks.nga").one()
    put_setting("index_weights", {"publicity": 10, "progress": 40, "digitisation": 10,
                                  "online": 30, "satisfaction": 10}, auditor, clock())
    db.session.commit()
    groups = {g["key"]: g for g in figures(api, "ks.nga", f"agency={SO_TU_PHAP}&{MARCH}")
              ["groups"]}
    assert groups["progress"]["weight"] == 40
    assert groups["progress"]["points"] == round(40 * 3 / 7, 2)
    assert groups["digitisation"]["points"] == round(10 * (37.5 / 80 + 40 / 80) / 2, 2)


@pytest.mark.parametrize("key", sorted(NUMERATOR_ROWS))
def test_the_drill_down_is_exactly_the_numerators_dossiers(api: Api, month: dict[str, str],
                                                           key: str) -> None:
    answer = api.get("ks.nga", f"/audit/indicators/{key}/dossiers?agency={SO_TU_PHAP}&{MARCH}")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    expected = {month[name] for name in NUMERATOR_ROWS[key]}
    assert {row["code"] for row in body["items"]} == expected
    assert body["total"] == len(expected)
    if key != "handling_days":
        assert body["total"] == EXPECTED[key][0]


def test_the_drill_down_pages(api: Api, month: dict[str, str]) -> None:
    path = f"/audit/indicators/handling_days/dossiers?agency={SO_TU_PHAP}&{MARCH}"
    first = api.get("ks.nga", path + "&limit=2").get_json()
    rest = api.get("ks.nga", path + "&limit=10&offset=2").get_json()
    assert first["total"] == rest["total"] == 5
    assert len(first["items"]) == 2 and len(rest["items"]) == 3
    codes = [r["code"] for r in first["items"] + rest["items"]]
    assert len(set(codes)) == 5
    received = [r["received_at"] for r in first["items"] + rest["items"]]
    assert received == sorted(received)
    row = first["items"][0]
    assert set(row) >= {"code", "procedure", "applicant", "received_at", "finished_at",
                        "first_due_at", "status"}


def test_procedure_indicators_list_the_procedures(api: Api, month: dict[str, str]) -> None:
    body = api.get("ks.nga", f"/audit/indicators/procedures_online/dossiers?agency="
                             f"{SO_TU_PHAP}&{MARCH}").get_json()
    assert body["counts"] == "procedures"
    assert [(p["code"], p["online_level"]) for p in body["items"]] == [
        ("2.000488", "full"), ("9.000001", "partial")]


def test_a_no_data_drill_down_is_empty(api: Api, month: dict[str, str]) -> None:
    body = api.get("ks.nga", f"/audit/indicators/online_payment/dossiers?{MARCH}").get_json()
    assert (body["no_data"], body["items"], body["total"]) == (True, [], 0)


def test_open_dossiers_are_judged_now_while_the_period_runs(api: Api, month: dict[str, str],
                                                            clock: FakeClock) -> None:
    # On 16 March "open_late" (due 20 March) is not late yet, "open_late_january" is; the
    # dossiers finished after the 16th count as settled as they are on their rows.
    clock.set(local(2026, 3, 16, 9))
    found = by_key(figures(api, "ks.nga", f"agency={SO_TU_PHAP}&{MARCH}"))
    assert found["on_time"]["denominator"] == 6
    clock.set(local(2026, 3, 21, 9))
    found = by_key(figures(api, "ks.nga", f"agency={SO_TU_PHAP}&{MARCH}"))
    assert found["on_time"]["denominator"] == 7


def test_an_agency_below_has_only_its_own_rows(api: Api, month: dict[str, str]) -> None:
    found = by_key(figures(api, "gd.son", f"agency={PHONG}&{MARCH}"))
    assert (found["on_time"]["denominator"], found["on_time"]["value"]) == (0, None)
    assert found["procedures_online"]["denominator"] == 0


def test_every_formula_is_declared_with_its_source() -> None:
    assert len(BY_KEY) == len(INDICATORS)
    for indicator in INDICATORS:
        assert indicator.formula and "766/QĐ-TTg" in indicator.source
        assert indicator.no_data == (indicator.numerator is None)
    # Only the two formulas two summaries agree on are confirmed.
    assert {i.key for i in INDICATORS if i.confirmed} == {"feedback_on_time", "satisfaction"}
