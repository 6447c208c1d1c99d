"""Whoever worked on a dossier keeps seeing it: an officer who held a task that was then
cancelled (the dossier stopped) finds it on its page and in the search."""

from __future__ import annotations

from typing import Any

from support.api import Api, at_examination


def test_the_holder_of_a_cancelled_task_still_sees_the_dossier(api: Api, sample: Any) -> None:
    code, task = at_examination(api)
    assert task["assignee"] == "cv.mai"
    stopped = api.post("mc.lan", f"/dossiers/{code}/stop", json={"reason": "Công dân xin dừng"})
    assert stopped.status_code == 200, stopped.get_json()
    assert api.get("cv.mai", f"/dossiers/{code}").status_code == 200
    found = api.get("cv.mai", f"/dossiers?q={code}").get_json()
    assert [d["code"] for d in found["items"]] == [code]
    # A colleague of the same unit who never held it does not.
    assert api.get("cv.dung", f"/dossiers/{code}").status_code == 404
