"""motcua import decision: verbatim storage, actions, inference from "responsible"."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from motcua.catalog.decisions import infer_role_unit
from motcua.catalog.models import Decision, Procedure
from motcua.db import db
from support.paths import SAMPLES, load_json


@pytest.fixture
def org(app: Flask) -> None:
    assert app.test_cli_runner().invoke(
        args=["import", "org", str(SAMPLES / "org.json")]).exit_code == 0


def _write(tmp_path: Path, doc: Any, name: str = "d.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def test_decision_is_kept_verbatim_and_steps_inferred(app: Flask, org: None) -> None:
    path = SAMPLES / "decision.json"
    result = app.test_cli_runner().invoke(args=["import", "decision", str(path)])
    assert result.exit_code == 0, result.output
    decision = db.session.scalar(select(Decision))
    assert decision is not None and decision.source == path.read_text(encoding="utf-8")
    procedure = db.session.scalar(select(Procedure).where(Procedure.code == "2.000488"))
    assert procedure is not None and procedure.time_limit_minutes == 4800
    assert [(s["role"], s["unit"]) for s in procedure.steps] == [
        ("receiver", "@desk"), ("unit_head", "@handling"), ("specialist", "@handling"),
        ("unit_head", "@handling"), ("leader", "@agency"), ("clerk", "@agency"),
        ("receiver", "@desk")]
    abolished = db.session.scalar(select(Procedure).where(Procedure.code == "2.000505"))
    assert abolished is not None and abolished.status == "abolished"
    again = app.test_cli_runner().invoke(args=["import", "decision", str(path)])
    assert again.exit_code == 0 and again.output.startswith("tạo mới: 0; cập nhật: 0;")


def test_amend_replace_abolish(app: Flask, org: None, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["import", "decision", str(SAMPLES / "decision.json")])
    base = load_json(SAMPLES / "decision.json")
    amended = dict(base["procedures"][0], action="amended", time_limit="8d")
    replacement = dict(base["procedures"][1], action="replaced", code="1.001193.2",
                       replaces="1.001193")
    doc = {"decision": dict(base["decision"], number="102/QĐ-UBND"),
           "procedures": [amended, replacement,
                          {"action": "abolished", "code": "2.000488"}]}
    result = runner.invoke(args=["import", "decision", str(_write(tmp_path, doc))])
    assert result.exit_code == 0, result.output
    procedures = {p.code: p for p in db.session.scalars(select(Procedure))}
    assert procedures["2.000488"].status == "abolished"
    assert procedures["2.000488"].time_limit_minutes == 3840  # amended, then abolished
    assert procedures["1.001193"].status == "replaced"
    assert procedures["1.001193"].replaced_by_id == procedures["1.001193.2"].id


def test_problems_are_reported_by_json_path_and_nothing_is_written(
        app: Flask, org: None, tmp_path: Path) -> None:
    doc = load_json(SAMPLES / "decision.json")
    doc["procedures"][0]["steps"][2]["responsible"] = "Ai đó"
    doc["procedures"][0]["time_limit"] = "mười ngày"
    doc["procedures"][1]["agency"] = "000.77.77.H99"
    doc["procedures"].append({"action": "amended", "code": "9.999999", "name": "X",
                              "agency": "000.00.12.H99", "time_limit": "1d"})
    result = app.test_cli_runner().invoke(args=["import", "decision",
                                                str(_write(tmp_path, doc))])
    assert result.exit_code == 1
    for path in ("$.procedures[0].steps[2].responsible", "$.procedures[0].time_limit",
                 "$.procedures[1].agency", "$.procedures[3].code"):
        assert path in result.output
    assert db.session.scalar(select(Decision)) is None
    assert db.session.scalar(select(Procedure)) is None


def test_same_number_with_other_content_is_refused(app: Flask, org: None,
                                                   tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["import", "decision", str(SAMPLES / "decision.json")])
    doc = load_json(SAMPLES / "decision.json")
    doc["decision"]["title"] = "Khác"
    result = runner.invoke(args=["import", "decision", str(_write(tmp_path, doc))])
    assert result.exit_code == 1
    assert "đã được nhập với nội dung khác" in result.output


@pytest.mark.parametrize(("text", "expected"), [
    ("Công chức Bộ phận Một cửa", ("receiver", "@desk")),
    ("Lãnh đạo Phòng Hành chính tư pháp", ("unit_head", "@handling")),
    ("Chuyên viên phòng chuyên môn", ("specialist", "@handling")),
    ("Lãnh đạo Sở Tư pháp", ("leader", "@agency")),
    ("Chủ tịch UBND xã", ("leader", "@agency")),
    ("Văn thư Sở", ("clerk", "@agency")),
])
def test_responsible_inference(text: str, expected: tuple[str, str]) -> None:
    assert infer_role_unit(text) == expected
