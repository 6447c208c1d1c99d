"""Walk dossiers through their process over the HTTP API, as the officers would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from support.formdata import example_for


class Walker:
    def __init__(self, api: Any, forms_dir: Path) -> None:
        self.api = api
        self.forms_dir = forms_dir

    def schema(self, key: str | None) -> dict[str, Any] | None:
        if not key:
            return None
        return json.loads((self.forms_dir / f"{key}.schema.json").read_text(encoding="utf-8"))

    def data_for(self, key: str | None, **overrides: Any) -> dict[str, Any]:
        schema = self.schema(key)
        return example_for(schema, overrides) if schema else dict(overrides)

    def create(self, user: str, procedure: str, start_form: str, channel: str = "direct",
               **extra: Any) -> dict[str, Any]:
        body = {"procedure": procedure, "channel": channel,
                "applicant": {"name": "Nguyễn Văn An", "id_number": "001090012345",
                              "phone": "0912345678", "address": "Hà Nội"},
                "data": self.data_for(start_form)}
        body.update(extra)
        response = self.api.post(user, "/dossiers", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def task(self, user: str, code: str, name: str | None = None) -> dict[str, Any]:
        response = self.api.get(user, "/tasks")
        assert response.status_code == 200, response.get_json()
        tasks = [t for t in response.get_json() if t["dossier"] == code
                 and (name is None or t["name"] == name)]
        assert tasks, f"{user} has no task for {code} ({name}); worklist: {response.get_json()}"
        return tasks[0]

    def complete(self, user: str, code: str, outcome: str | None = None,
                 name: str | None = None, note: str | None = None,
                 **data: Any) -> dict[str, Any]:
        response = self.try_complete(user, code, outcome, name, note, **data)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def try_complete(self, user: str, code: str, outcome: str | None = None,
                     name: str | None = None, note: str | None = None, **data: Any) -> Any:
        task = self.task(user, code, name)
        body = {"outcome": outcome, "note": note, "data": self.data_for(task["form"], **data)}
        return self.api.post(user, f"/tasks/{task['id']}/complete", json=body)


def sample_at_examination(walker: Walker) -> str:
    """A dossier of the shared sample procedure 2.000488 received at the desk and assigned
    to cv.mai, now waiting for her examination; its code."""
    code: str = walker.create("mc.lan", "2.000488", "to-khai-ly-lich-tu-phap")["code"]
    walker.complete("mc.lan", code, "accept")
    walker.complete("tp.hung", code, None, assignee="cv.mai")
    return code
