"""motcua import org: idempotent, all-or-nothing, problems by JSON path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from motcua.db import db
from motcua.org.models import Agency, Membership, User
from support.paths import SAMPLES


def _write(tmp_path: Path, doc: Any) -> Path:
    path = tmp_path / "org.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_twice_changes_nothing(app: Flask) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["import", "org", str(SAMPLES / "org.json")])
    assert first.exit_code == 0, first.output
    assert "agency 7" in first.output and "user 11" in first.output
    hashes = dict(db.session.execute(select(User.username, User.password_hash)).all())
    second = runner.invoke(args=["import", "org", str(SAMPLES / "org.json")])
    assert second.exit_code == 0, second.output
    assert second.output.startswith("tạo mới: 0; cập nhật: 0;")
    db.session.expire_all()
    assert dict(db.session.execute(select(User.username, User.password_hash)).all()) == hashes
    assert all(h.startswith("$argon2") for h in hashes.values())


def test_changes_are_applied_and_reported(app: Flask, sample_org: dict[str, Any],
                                          tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    runner.invoke(args=["import", "org", str(SAMPLES / "org.json")])
    sample_org["users"][0]["memberships"] = [{"agency": "000.00.31.H99", "role": "unit_head"}]
    sample_org["agencies"][4]["name"] = "Phòng Hành chính tư pháp (mới)"
    result = runner.invoke(args=["import", "org", str(_write(tmp_path, sample_org))])
    assert result.exit_code == 0, result.output
    assert "cập nhật: agency 1, user 1" in result.output
    roles = db.session.scalars(select(Membership.role).join(User).where(
        User.username == "mc.lan")).all()
    assert roles == ["unit_head"]


def test_bad_file_writes_nothing_and_names_every_problem(
        app: Flask, sample_org: dict[str, Any], tmp_path: Path) -> None:
    sample_org["agencies"][3]["parent"] = "000.99.99.H99"
    sample_org["users"][2]["memberships"][0]["role"] = "boss"
    sample_org["users"][5]["memberships"][0]["agency"] = "nowhere"
    result = app.test_cli_runner().invoke(args=["import", "org",
                                                str(_write(tmp_path, sample_org))])
    assert result.exit_code == 1
    assert "$.users[2].memberships[0].role" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Agency)) == 0
    # Semantic problems are reported once the shape is right.
    sample_org["users"][2]["memberships"][0]["role"] = "specialist"
    result = app.test_cli_runner().invoke(args=["import", "org",
                                                str(_write(tmp_path, sample_org))])
    assert result.exit_code == 1
    assert "$.agencies[3].parent" in result.output
    assert "$.users[5].memberships[0].agency" in result.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_unreadable_file_exits_2(app: Flask, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", "org", str(bad)])
    assert result.exit_code == 2
    assert "dòng 1" in result.output
