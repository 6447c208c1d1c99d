"""Who may compare what: versions and drafts of procedures the designer designs; another
agency's is a 404, other roles 403; two procedures are not compared (422); a bad ``against``
is a 422 naming the field, never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from diff_support import OTHER_DESIGNER, Designer
from sqlalchemy import select

from motcua.catalog.models import Procedure
from motcua.db import db
from motcua.processes.models import ProcessVersion

OTHER = OTHER_DESIGNER["username"]


def details(response: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = response.get_json()["error"]["details"]
    return found


@pytest.fixture
def pair(designer: Designer) -> tuple[int, int, int]:
    draft = designer.generated()
    version = designer.publish(draft)
    return version, designer.copy(version)["id"], draft["id"]


def test_another_agencys_designer_is_answered_404(designer: Designer,
                                                  pair: tuple[int, int, int]) -> None:
    version, draft, _ = pair
    for path in (f"/processes/{version}/diff?against={version}",
                 f"/drafts/{draft}/diff?against={version}",
                 f"/drafts/{draft}/diff?against=decision"):
        assert designer.diff(path, OTHER).status_code == 404, path


@pytest.mark.parametrize("who,status", [(None, 401), ("cv.mai", 403), ("mc.lan", 403)])
def test_other_roles_are_refused(designer: Designer, pair: tuple[int, int, int], who: str | None,
                                 status: int) -> None:
    version, draft, _ = pair
    assert designer.diff(f"/processes/{version}/diff?against={version}", who).status_code == status
    assert designer.diff(f"/drafts/{draft}/diff?against=decision", who).status_code == status


def test_versions_of_two_procedures_are_not_compared(designer: Designer,
                                                     pair: tuple[int, int, int]) -> None:
    version, draft, _ = pair
    mine = db.session.get(ProcessVersion, version)
    assert mine is not None
    other = db.session.scalar(select(Procedure).where(
        Procedure.agency_id == mine.procedure.agency_id, Procedure.id != mine.procedure_id))
    assert other is not None, "the sample agency has a second procedure"
    # Stored as it is: the comparison is refused before anything is read.
    copy = ProcessVersion(procedure_id=other.id, version=1, filename=mine.filename,
                          bpmn_xml=mine.bpmn_xml, bpmn_sha256=mine.bpmn_sha256,
                          steps={}, timers={}, problems=[], created_at=mine.created_at)
    db.session.add(copy)
    db.session.commit()
    for path in (f"/processes/{version}/diff?against={copy.id}",
                 f"/drafts/{draft}/diff?against={copy.id}",
                 f"/processes/{copy.id}/diff?against={version}"):
        response = designer.diff(path)
        assert response.status_code == 422, path
        assert details(response)[0]["field"] == "against"
        assert other.code in response.get_json()["error"]["message"] or \
            mine.procedure.code in response.get_json()["error"]["message"]


@pytest.mark.parametrize("against,on_version,on_draft", [
    ("", 422, 422), ("abc", 422, 422), ("-1", 422, 422), ("99999999999999", 422, 422),
    ("1%00", 422, 422), ("0", 404, 404), ("decision", 422, 200),
    # Digits str.isdigit() takes and int() refuses (a 500) or reads as another number.
    ("%C2%B2", 422, 422), ("%D9%A3", 422, 422), ("%EF%BC%91", 422, 422)])
def test_a_bad_against_is_a_422_naming_it(designer: Designer, pair: tuple[int, int, int],
                                          against: str, on_version: int, on_draft: int) -> None:
    version, draft, _ = pair
    for path, status in ((f"/processes/{version}/diff?against={against}", on_version),
                         (f"/drafts/{draft}/diff?against={against}", on_draft)):
        response = designer.diff(path)
        assert response.status_code == status, path
        if status == 422:
            assert details(response)[0]["field"] == "against"


def test_without_against_is_a_422(designer: Designer, pair: tuple[int, int, int]) -> None:
    version, draft, _ = pair
    for path in (f"/processes/{version}/diff", f"/drafts/{draft}/diff"):
        response = designer.diff(path)
        assert response.status_code == 422
        assert details(response) == [{"field": "against", "message": details(response)[0][
            "message"]}]


def test_unknown_ids_are_404(designer: Designer, pair: tuple[int, int, int]) -> None:
    version, _, _ = pair
    assert designer.diff(f"/processes/{2**40}/diff?against={version}").status_code == 404
    assert designer.diff(f"/processes/{version}/diff?against=2147483000").status_code == 404
    assert designer.diff(f"/drafts/987654/diff?against={version}").status_code == 404


def test_the_api_document_lists_both_diffs(designer: Designer) -> None:
    spec = designer.api.client.get("/api/v1/openapi.json").get_json()
    for path in ("/api/v1/processes/{version_id}/diff", "/api/v1/drafts/{draft_id}/diff"):
        parameters = spec["paths"][path]["get"]["parameters"]
        assert any(p["name"] == "against" and p["required"] for p in parameters), path
