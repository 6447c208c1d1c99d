"""The audit's home: auditors find every check and report; leaders the figures of their
agency only; other officers are refused."""

from __future__ import annotations

from typing import Any

from support.paths import passwords
from support.web import Isolated, sign_in

CHECKS = ("/audit/conformance", "/audit/execution", "/audit/integrity", "/audit/access-log",
          "/audit/settings")
FIGURES = ("/audit/dashboard", "/audit/statistics", "/audit/reports", "/audit/indicators",
           "/dossiers")


def _page(client: Any, sample_org: dict[str, Any], username: str, path: str) -> Any:
    browser = Isolated(client)
    sign_in(browser, username, passwords(sample_org["users"])[username])
    return browser.get(path)


def test_the_auditor_finds_every_check_and_report(client: Any, sample: Any,
                                                  sample_org: dict[str, Any]) -> None:
    page = _page(client, sample_org, "ks.nga", "/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for path in CHECKS + FIGURES:
        assert f'href="{path}"' in html, path
    assert "Kiểm soát TTHC" in html  # the main navigation's entry


def test_a_leader_finds_the_figures_of_their_agency_only(client: Any, sample: Any,
                                                         sample_org: dict[str, Any]) -> None:
    page = _page(client, sample_org, "gd.son", "/audit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for path in FIGURES:
        assert f'href="{path}"' in html, path
    for path in CHECKS:
        assert f'href="{path}"' not in html, path
    assert "Thống kê" in html


def test_other_officers_are_refused(client: Any, sample: Any,
                                    sample_org: dict[str, Any]) -> None:
    assert _page(client, sample_org, "cv.mai", "/audit").status_code == 403
