"""Tampering with the history directly in the database, as a superuser who lifted the
triggers could: ``audit verify`` (the command and the function) names the dossier and the
position of every edited, deleted or inserted event, and a chain rewritten consistently
after an edit is caught by the head a tree signed before."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from integrity_support import (
    dossier_id,
    event_id,
    events,
    insert_copy,
    new_dossier,
    relink,
    rewrite,
    tamper,
)

from motcua.audit.integrity.merkle import root
from motcua.audit.integrity.seal import leaf_hashes, seal
from motcua.audit.integrity.verify import Problem, verify_all, verify_dossier
from motcua.audit.models import TreeHead
from motcua.calendar.working_time import TZ
from motcua.db import db
from support.clock import FakeClock
from support.walk import Walker


@pytest.fixture
def codes(walker: Walker) -> tuple[str, str]:
    """Two dossiers: the one tampered with, and one left alone."""
    first, second = new_dossier(walker), new_dossier(walker)
    db.session.commit()
    return first, second


def _verify(app: Flask, *args: str) -> tuple[int, list[str]]:
    result = app.test_cli_runner().invoke(args=["audit", "verify", *args])
    return result.exit_code, result.output.splitlines()


def _only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [p.line for p in problems]
    return problems[0]


def _seal_today(clock: FakeClock) -> None:
    sealed = seal(clock().astimezone(TZ).date(), clock())
    assert sealed.created
    db.session.commit()


def test_intact_histories_pass_with_a_summary(app: Flask, codes: tuple[str, str],
                                              clock: FakeClock) -> None:
    _seal_today(clock)
    report = verify_all()
    total = sum(len(events(code)) for code in codes)
    assert report.intact and (report.dossiers, report.events, report.heads) == (2, total, 1)
    status, lines = _verify(app)
    assert status == 0
    assert re.fullmatch(rf"Toàn vẹn: 2 hồ sơ, {total} sự kiện, 1 đầu cây đã ký; "
                        r"\d+,\d giây, [\d.]+ sự kiện/giây\.", lines[-1]), lines
    status, lines = _verify(app, "--dossier", codes[0])
    assert status == 0 and "Toàn vẹn: 1 hồ sơ" in lines[-1]
    assert lines[0].startswith("Lá thứ 1/2 của đầu cây ngày 16/03/2026")


def test_an_edited_note_is_named_by_dossier_and_position(app: Flask, codes: tuple[str, str]
                                                         ) -> None:
    target, _other = codes
    tamper("UPDATE history_event SET note = 'Đã sửa' WHERE id = :id", id=event_id(target, 2))
    problem = _only(verify_all().problems)
    assert (problem.kind, problem.dossier_code, problem.position) == ("edited", target, 2)
    status, lines = _verify(app)
    assert status == 1
    assert lines[0] == (f"{target}: sự kiện thứ 2 bị sửa (mã băm không khớp nội dung hoặc "
                        "sự kiện liền trước)")
    assert lines[-1].startswith("1 chỗ bị sửa đổi: 2 hồ sơ")
    assert _only(verify_dossier(target).problems).position == 2
    assert verify_dossier(codes[1]).intact


def test_a_deleted_event_in_the_middle_is_named(app: Flask, codes: tuple[str, str]) -> None:
    target = codes[0]
    assert len(events(target)) >= 3
    tamper("DELETE FROM history_event WHERE id = :id", id=event_id(target, 2))
    problem = _only(verify_all().problems)
    assert (problem.kind, problem.dossier_code, problem.position) == ("deleted", target, 2)
    status, lines = _verify(app, "--dossier", target)
    assert status == 1 and lines[0] == f"{target}: sự kiện thứ 2 bị xóa (thiếu vị trí này " \
                                       "trong chuỗi)"


def test_a_forged_event_with_a_position_already_taken_is_named(app: Flask,
                                                               codes: tuple[str, str]) -> None:
    target = codes[0]
    original = events(target)[1]
    # Even with the hash the original has: the position is taken twice.
    insert_copy(target, 2, note="Chèn thêm", hash=original.hash)
    problem = _only(verify_all().problems)
    # The second event claiming position 2 comes third in the stored chain.
    assert (problem.kind, problem.dossier_code, problem.position) == ("inserted", target, 3)
    status, lines = _verify(app)
    assert status == 1 and lines[0].startswith(f"{target}: sự kiện thứ 3 bị chèn")


def test_an_event_appended_with_a_wrong_link_is_named(app: Flask, codes: tuple[str, str]
                                                      ) -> None:
    target = codes[0]
    size = len(events(target))
    insert_copy(target, size, seq=size + 1, note="Giả mạo", hash="ab" * 32)
    problem = _only(verify_all().problems)
    assert (problem.kind, problem.dossier_code, problem.position) == ("edited", target,
                                                                      size + 1)
    status, lines = _verify(app)
    assert status == 1 and lines[0].startswith(f"{target}: sự kiện thứ {size + 1} bị sửa")


def test_a_chain_rewritten_consistently_is_caught_by_the_signed_head(
        app: Flask, codes: tuple[str, str], clock: FakeClock) -> None:
    target = codes[0]
    size = len(events(target))
    _seal_today(clock)
    rewrite(target, 2, "Ghi chú viết lại")
    assert not [p for p in verify_all().problems if p.kind in ("edited", "deleted")]
    problem = _only(verify_all().problems)
    # One signed head of this size: any of its events may be the one changed.
    assert (problem.kind, problem.dossier_code, problem.position, problem.last_position) == (
        "rewritten", target, 1, size)
    status, lines = _verify(app)
    assert status == 1
    assert lines[0] == (f"{target}: sự kiện thứ 1–{size} bị sửa: chuỗi không còn đi qua đầu "
                        "chuỗi đã ký ngày 16/03/2026 (chuỗi bị viết lại, mã băm được tính lại)")
    assert _only(verify_dossier(target).problems).kind == "rewritten"


def test_daily_heads_narrow_a_rewrite_down_to_the_event(
        app: Flask, walker: Walker, clock: FakeClock, api: Any) -> None:
    target = new_dossier(walker, steps=1)
    db.session.commit()
    _seal_today(clock)
    signed = len(events(target))
    clock.advance(days=1)
    walker.complete("tp.hung", target, None, assignee="cv.mai")
    db.session.commit()
    _seal_today(clock)
    grown = len(events(target))
    assert grown == signed + 1  # the assignment, one event
    rewrite(target, signed + 1, "Phân công khác")
    problem = _only(verify_all().problems)
    assert (problem.kind, problem.position, problem.last_position) == (
        "rewritten", signed + 1, signed + 1)
    status, lines = _verify(app)
    assert status == 1
    assert lines[0].startswith(f"{target}: sự kiện thứ {signed + 1} bị sửa: chuỗi không còn "
                               "đi qua đầu chuỗi đã ký ngày 17/03/2026")


def test_events_cut_from_the_end_are_caught_by_the_signed_head(
        app: Flask, codes: tuple[str, str], clock: FakeClock) -> None:
    target = codes[0]
    size = len(events(target))
    _seal_today(clock)
    tamper("DELETE FROM history_event WHERE id = :id", id=event_id(target, size))
    problem = _only(verify_all().problems)
    assert (problem.kind, problem.dossier_code, problem.position, problem.last_position) == (
        "truncated", target, size, size)
    status, lines = _verify(app)
    assert status == 1
    assert lines[0] == (f"{target}: sự kiện thứ {size} bị xóa (đầu chuỗi ký ngày 16/03/2026 "
                        f"có {size} sự kiện, nay còn {size - 1})")
    # A whole history deleted: the dossier is named from its signed leaf alone.
    other = codes[1]
    tamper("DELETE FROM history_event WHERE dossier_id = :id", id=dossier_id(other))
    named = {p.dossier_code: p for p in verify_all().problems}
    assert (named[other].kind, named[other].position) == ("truncated", 1)


def test_an_edited_leaf_is_caught_by_the_root_and_an_edited_head_by_its_signature(
        app: Flask, codes: tuple[str, str], clock: FakeClock) -> None:
    target = codes[0]
    _seal_today(clock)
    rewrite(target, 1, "Viết lại từ đầu")
    # The forger also moves the signed leaf to the rewritten chain's head...
    last = events(target)[-1]
    tamper("UPDATE tree_leaf SET head = :head WHERE dossier_id = :id",
           head=last.hash, id=dossier_id(target))
    problem = _only(verify_all().problems)
    assert (problem.kind, problem.day, problem.dossier_code) == ("root", clock().date(), None)
    assert problem.line == ("Đầu cây ngày 16/03/2026: gốc không khớp các lá đã lưu (lá hoặc "
                            "đầu cây bị sửa)")
    assert _only(verify_dossier(target).problems).kind == "root"
    # ...and the root to the one its leaves now give: the signature no longer covers it.
    head = db.session.scalars(db.select(TreeHead)).one()
    tamper("UPDATE tree_head SET root = :root", root=root(leaf_hashes(head.id)).hex())
    problem = _only(verify_all().problems)
    assert (problem.kind, problem.line) == (
        "signature", "Đầu cây ngày 16/03/2026: chữ ký không hợp lệ (đầu cây bị sửa)")
    status, lines = _verify(app)
    assert status == 1 and lines[0] == problem.line


def test_a_forged_signature_or_a_foreign_key_is_caught(app: Flask, codes: tuple[str, str],
                                                       clock: FakeClock) -> None:
    _seal_today(clock)
    tamper("UPDATE tree_head SET size = size + 1")
    assert {p.kind for p in verify_all().problems} == {"size", "signature"}
    tamper("UPDATE tree_head SET size = size - 1, signature = :s", s="00" * 64)
    assert _only(verify_all().problems).kind == "signature"
    tamper("UPDATE tree_head SET key_id = :k", k="ab" * 32)
    problem = _only(verify_all().problems)
    assert problem.kind == "key" and "abababababababab" in problem.line


def test_a_broken_chain_is_reported_once(app: Flask, codes: tuple[str, str],
                                         clock: FakeClock) -> None:
    """An edit after the seal breaks the chain and its signed head: one line, the chain's."""
    target = codes[0]
    _seal_today(clock)
    tamper("UPDATE history_event SET note = 'x' WHERE id = :id", id=event_id(target, 1))
    problem = _only(verify_all().problems)
    assert (problem.kind, problem.position) == ("edited", 1)
    relink(target)
    assert _only(verify_all().problems).kind == "rewritten"


def test_verify_of_an_unknown_dossier_exits_2(app: Flask, codes: tuple[str, str]) -> None:
    result = app.test_cli_runner().invoke(args=["audit", "verify", "--dossier", "KHONG-CO"])
    assert result.exit_code == 2 and "Không tìm thấy hồ sơ KHONG-CO" in result.output


def test_a_forged_second_leaf_in_a_tree_is_caught(app: Flask, codes: tuple[str, str],
                                                  clock: FakeClock) -> None:
    target = codes[0]
    _seal_today(clock)
    rewrite(target, 2, "Viết lại")
    head = db.session.scalars(db.select(TreeHead)).one()
    tamper("INSERT INTO tree_leaf (tree_id, dossier_id, size, head) VALUES (:t, :d, :s, :h)",
           t=head.id, d=dossier_id(target), s=len(events(target)), h=events(target)[-1].hash)
    problems = verify_all().problems
    assert {(p.kind, p.dossier_code) for p in problems} == {("rewritten", target),
                                                            ("root", None)}
    assert {p.kind for p in verify_dossier(target).problems} == {"rewritten", "root"}
