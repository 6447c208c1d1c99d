"""A dossier code holding a NUL (typed as %00) is refused before any view, everywhere a code
is looked up: the dossier's API and page, the public lookup and the worklist's search.
PostgreSQL refuses to compare text with a NUL, which was a 500 on that database only; it is
now a 422 naming the path or the parameter (``motcua.input_guard``)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from support.api import Api, assert_error, new_dossier
from support.web import Browser, Isolated


def test_a_code_with_a_nul_is_refused(app: Flask, sample: Any, api: Api) -> None:
    code = new_dossier(api)["code"]
    assert_error(api.get("mc.lan", f"/dossiers/{code}%00"), 422)
    assert_error(api.get("mc.lan", f"/dossiers/{code}%00/history"), 422)
    assert Browser(app, "mc.lan").get(f"/dossiers/{code}%00").status_code == 422
    assert Isolated(app.test_client()).get(f"/lookup/{code}%00").status_code == 422


def test_the_worklist_search_refuses_a_nul(app: Flask, sample: Any, api: Api) -> None:
    code = new_dossier(api)["code"]
    page = Browser(app, "mc.lan").get(f"/tasks?q={code}%00")
    assert page.status_code == 422
