"""A procedure whose outcome keys are Vietnamese words with declared meanings
(``scenarios/vietnamese-keys``), run through every path: statuses, documents and their
printed reasons, history with element ids and meanings, the reopened task, the legal clock.
Nothing here may depend on the English keys ``accept``, ``refuse``, ``back``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from motcua.calendar.operations import load_calendar
from motcua.db import db
from motcua.dossiers.models import Dossier, IssuedDocument
from motcua.org.models import User
from motcua.tasks.worklist import home_counts
from support.clock import FakeClock, local
from support.walk import Walker
from support.web import Browser, text

SCENARIO = Path(__file__).parent / "scenarios" / "vietnamese-keys"
FORMS = SCENARIO / "forms"
ONLINE, DESK_ONLY = "9.000901", "9.000902"
START_FORM = "to-khai-ly-lich-tu-phap"


CITIZEN = {"username": "cong.dan", "full_name": "Trần Văn Bình", "password": "cong-dan-2026",
           "kind": "applicant", "memberships": []}


@pytest.fixture
def scenario(province: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """The sample organisation with an applicant, the scenario's decision, and its process
    published for both its procedures."""
    process = SCENARIO / "process.bpmn"
    return province(users=[CITIZEN], decision=SCENARIO / "decision.json",
                    processes={ONLINE: process, DESK_ONLY: process}, forms=FORMS,
                    effective=None)


@pytest.fixture
def walker(scenario: dict[str, Any], make_walker: Callable[..., Walker]) -> Walker:
    return make_walker(scenario["users"], FORMS)


def _dossier(code: str) -> Dossier:
    dossier = db.session.scalar(select(Dossier).where(Dossier.code == code)
                                .execution_options(populate_existing=True))
    assert dossier is not None
    return dossier


def _documents(code: str) -> list[IssuedDocument]:
    return list(db.session.scalars(select(IssuedDocument).join(Dossier)
                                   .where(Dossier.code == code).order_by(IssuedDocument.id)
                                   .execution_options(populate_existing=True)))


def _history(walker: Walker, code: str) -> list[dict[str, Any]]:
    return walker.api.get("mc.lan", f"/dossiers/{code}/history").get_json()


def _iso(at: datetime) -> str:
    return at.astimezone(local(2026, 1, 1).tzinfo).isoformat()


def _to_examination(walker: Walker, code: str) -> None:
    walker.complete("mc.lan", code, "nhan")
    walker.complete("tp.hung", code, assignee="cv.mai", chi_dao="Thẩm định trong 5 ngày")


def _to_review(walker: Walker, code: str) -> None:
    _to_examination(walker, code)
    walker.complete("cv.mai", code, "de_xuat", y_kien="Hồ sơ đầy đủ, đề nghị giải quyết")


def test_refusal_at_reception_needs_its_reason_and_prints_it(walker: Walker) -> None:
    code = walker.create("mc.lan", ONLINE, START_FORM)["code"]
    refused = walker.try_complete("mc.lan", code, "tra")
    assert refused.status_code == 422
    assert [d["field"] for d in refused.get_json()["error"]["details"]] == ["data.ly_do"]
    answer = walker.complete("mc.lan", code, "tra", ly_do="Hồ sơ không thuộc thẩm quyền")
    assert answer["dossier"]["status"] == "refused"
    assert [d["kind"] for d in answer["documents"]] == ["refusal"]
    assert [d.kind for d in _documents(code)] == ["refusal"]  # no receipt for a refusal
    events = _history(walker, code)
    done = next(e for e in events if e["action"] == "completed")
    assert (done["step"], done["outcome"], done["meaning"], done["to_steps"]) == (
        "Task_Receive", "tra", "refuse", [])
    assert (done["actor_role"], done["actor_unit"]) == ("receiver", "000.00.31.H99")
    document = next(e for e in events if e["action"] == "document")
    assert (document["document"], document["outcome"]) == ("refusal", None)
    page = text(Browser(walker.api.client.application, "mc.lan")
                .get(f"/dossiers/{code}/documents/refusal"))
    assert "Hồ sơ không thuộc thẩm quyền" in page


def test_supplement_stops_the_clock_and_the_complete_dossier_gets_a_new_receipt(
        walker: Walker, clock: FakeClock) -> None:
    code = walker.create("mc.lan", ONLINE, START_FORM)["code"]
    _to_examination(walker, code)
    first = _dossier(code)
    assert first.first_due_at is not None and first.first_due_at == first.due_at
    clock.set(local(2026, 3, 18, 10, 0))
    missing = walker.try_complete("cv.mai", code, "bo_sung", can_bo_sung=["Bản sao CCCD"],
                                  y_kien="")
    assert missing.status_code == 422
    answer = walker.complete("cv.mai", code, "bo_sung", can_bo_sung=["Bản sao CCCD"],
                             y_kien="Thiếu giấy tờ tùy thân của người yêu cầu")
    assert answer["dossier"]["status"] == "supplement_requested"
    waiting = _dossier(code)
    assert waiting.due_at is None and waiting.first_due_at is None
    request = _documents(code)[-1]
    assert request.kind == "supplement"
    assert request.content["reason"] == "Thiếu giấy tờ tùy thân của người yêu cầu"
    assert request.content["missing"] == [{"name": "Bản sao CCCD", "details": ""}]
    browser = Browser(walker.api.client.application, "mc.lan")
    printed = text(browser.get(f"/dossiers/{code}/documents/supplement"))
    assert "Bản sao CCCD" in printed and "Thiếu giấy tờ tùy thân" in printed

    clock.set(local(2026, 3, 20, 14, 0))
    answer = walker.complete("mc.lan", code, ngay_nhan="2026-03-20")
    assert answer["dossier"]["status"] == "processing"
    assert [d["kind"] for d in answer["documents"]] == ["receipt"]
    back = _dossier(code)
    expected = load_calendar().add(local(2026, 3, 20, 14, 0), 10 * 8 * 60)
    assert back.due_at == back.first_due_at == expected
    receipt = _documents(code)[-1]
    assert receipt.kind == "receipt" and receipt.content["due_at"] == expected.isoformat()
    # Coming back after a supplement is not a send-back.
    reopened = walker.task("cv.mai", code)
    assert reopened["step"] == "Task_Examine" and reopened["reopened"] is False
    cv_mai = db.session.scalar(select(User).where(User.username == "cv.mai"))
    assert cv_mai is not None
    assert home_counts(cv_mai, clock())["returned"] == 0


def test_send_back_at_review_needs_a_note_and_reopens_with_who_when_why(
        walker: Walker, clock: FakeClock) -> None:
    code = walker.create("mc.lan", ONLINE, START_FORM)["code"]
    _to_review(walker, code)
    clock.advance(hours=2)
    refused = walker.try_complete("tp.hung", code, "tra_lai")
    assert refused.status_code == 422
    assert [d["field"] for d in refused.get_json()["error"]["details"]] == ["note"]
    answer = walker.complete("tp.hung", code, "tra_lai", note="Bổ sung căn cứ pháp lý")
    [examine] = answer["next_tasks"]
    assert (examine["step"], examine["assignee"], examine["reopened"]) == (
        "Task_Examine", "cv.mai", True)
    back = next(e for e in reversed(_history(walker, code)) if e["action"] == "completed")
    assert (back["step"], back["meaning"], back["to_steps"], back["note"]) == (
        "Task_Review", "back", ["Task_Examine"], "Bổ sung căn cứ pháp lý")
    cv_mai = db.session.scalar(select(User).where(User.username == "cv.mai"))
    assert cv_mai is not None
    assert home_counts(cv_mai, clock())["returned"] == 1

    page = text(Browser(walker.api.client.application, "cv.mai").get(f"/tasks/{examine['id']}"))
    assert "Hồ sơ được trả lại" in page and "Bổ sung căn cứ pháp lý" in page
    assert "Trần Văn Hùng" in page or "tp.hung" in page or "Hùng" in page
    # The form comes pre-filled with what the specialist entered before.
    assert "Hồ sơ đầy đủ, đề nghị giải quyết" in page


def test_send_back_at_approval_returns_to_review_with_its_reason(walker: Walker) -> None:
    code = walker.create("mc.lan", ONLINE, START_FORM)["code"]
    _to_review(walker, code)
    walker.complete("tp.hung", code, "dong_y")
    answer = walker.complete("gd.son", code, "tra_lai", y_kien="Xem lại thời hạn")
    [review] = answer["next_tasks"]
    assert (review["step"], review["reopened"], review["assignee"]) == (
        "Task_Review", True, "tp.hung")
    events = _history(walker, code)
    assert [e["meaning"] for e in events if e["action"] == "completed"] == [
        "accept", "forward", "forward", "forward", "back"]


def test_return_path_ends_returned_and_an_apology_moves_due_only(
        walker: Walker, clock: FakeClock) -> None:
    code = walker.create("mc.lan", ONLINE, START_FORM)["code"]
    _to_review(walker, code)
    before = _dossier(code)
    promised = before.first_due_at
    assert promised is not None
    response = walker.api.post("tp.hung", f"/dossiers/{code}/apology", json={
        "reason": "Chờ xác minh", "new_due": "2026-04-10T16:00"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["due_at"] == "2026-04-10T16:00:00+07:00"
    assert body["first_due_at"] == _iso(promised)
    walker.complete("tp.hung", code, "dong_y")
    walker.complete("gd.son", code, "ky")
    walker.complete("vt.ha", code)
    answer = walker.complete("mc.lan", code)
    assert answer["dossier"]["status"] == "returned"
    assert _dossier(code).first_due_at == promised
    kinds = [d.kind for d in _documents(code)]
    assert kinds == ["receipt", "apology", "result"]


def test_refusal_proposed_at_examination_ends_refused_with_the_examiners_reason(
        walker: Walker) -> None:
    code = walker.create("mc.lan", ONLINE, START_FORM)["code"]
    _to_examination(walker, code)
    walker.complete("cv.mai", code, "khong_dat", y_kien="Người yêu cầu không đủ điều kiện")
    assert _dossier(code).status == "processing"
    walker.complete("tp.hung", code, "dong_y")
    walker.complete("gd.son", code, "ky")
    walker.complete("vt.ha", code)
    answer = walker.complete("mc.lan", code)
    assert answer["dossier"]["status"] == "refused"
    refusal = _documents(code)[-1]
    assert refusal.kind == "refusal"
    assert refusal.content["reasons"] == ["Người yêu cầu không đủ điều kiện"]


def test_a_send_back_to_the_refusing_step_clears_the_refusal(walker: Walker) -> None:
    code = walker.create("mc.lan", ONLINE, START_FORM)["code"]
    _to_examination(walker, code)
    walker.complete("cv.mai", code, "khong_dat", y_kien="Chưa đủ điều kiện")
    walker.complete("tp.hung", code, "tra_lai", note="Xem lại: hồ sơ đã đủ điều kiện")
    walker.complete("cv.mai", code, "de_xuat", y_kien="Đủ điều kiện, đề nghị giải quyết")
    walker.complete("tp.hung", code, "dong_y")
    walker.complete("gd.son", code, "ky")
    walker.complete("vt.ha", code)
    assert walker.complete("mc.lan", code)["dossier"]["status"] == "returned"
    assert "refusal" not in [d.kind for d in _documents(code)]


def test_online_clock_starts_when_the_desk_accepts(walker: Walker, clock: FakeClock) -> None:
    clock.set(local(2026, 3, 16, 9, 0))
    created = walker.create("cong.dan", ONLINE, START_FORM, channel="online", applicant={})
    assert created["status"] == "received"
    assert created["due_at"] is None and created["first_due_at"] is None
    code = created["code"]
    clock.set(local(2026, 3, 17, 14, 30))
    walker.complete("mc.lan", code, "nhan")
    dossier = _dossier(code)
    expected = load_calendar().add(local(2026, 3, 17, 14, 30), 10 * 8 * 60)
    assert dossier.due_at == dossier.first_due_at == expected
    assert _documents(code)[0].content["due_at"] == expected.isoformat()


def test_online_submission_is_refused_without_online_service(walker: Walker) -> None:
    body = {"procedure": DESK_ONLY, "channel": "online", "applicant": {},
            "data": walker.data_for(START_FORM)}
    response = walker.api.post("cong.dan", "/dossiers", json=body)
    assert response.status_code == 422
    assert [d["field"] for d in response.get_json()["error"]["details"]] == ["channel"]
    # At the desk the same procedure is received as usual.
    assert walker.create("mc.lan", DESK_ONLY, START_FORM)["status"] == "received"


def test_reception_and_its_decision_in_one_request(walker: Walker) -> None:
    body = {"procedure": ONLINE, "channel": "direct",
            "applicant": {"name": "Lê Thị Cúc"}, "data": walker.data_for(START_FORM),
            "documents": [{"name": "Tờ khai", "original": 1, "copy": 0}], "sets": 2,
            "reception": {"outcome": "nhan", "data": {}}}
    response = walker.api.post("mc.lan", "/dossiers", json=body)
    assert response.status_code == 201, response.get_json()
    code = response.get_json()["code"]
    receipt = _documents(code)[0]
    assert receipt.kind == "receipt" and receipt.content["sets"] == 2
    assert receipt.content["documents"] == [{"name": "Tờ khai", "original": 1, "copy": 0}]
    refused = walker.api.post("mc.lan", "/dossiers", json={
        **body, "reception": {"outcome": "tra", "data": {}}})
    assert refused.status_code == 422
    assert [d["field"] for d in refused.get_json()["error"]["details"]] == [
        "reception.data.ly_do"]
    # Nothing of the refused request was kept.
    assert db.session.scalar(select(Dossier.id).where(Dossier.applicant_name == "Lê Thị Cúc")
                             .order_by(Dossier.id.desc()).offset(1)) is None
