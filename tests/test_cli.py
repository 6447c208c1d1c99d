"""The stable command line: process check/publish exit codes, serve."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from motcua.db import db
from motcua.processes.models import ProcessVersion
from support.paths import REPO, SAMPLES

SAMPLE_BPMN = SAMPLES / "bpmn" / "ly-lich-tu-phap.bpmn"


def test_check_valid_sample_exits_0(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["process", "check", str(SAMPLE_BPMN)])
    assert result.exit_code == 0, result.output
    assert "Process_LyLichTuPhap" in result.output


def test_check_reports_problems_with_element_and_line(app: Flask, tmp_path: Path) -> None:
    broken = tmp_path / "broken.bpmn"
    broken.write_text(SAMPLE_BPMN.read_text(encoding="utf-8").replace(
        '<spiffworkflow:property name="allotted" value="7d"/>',
        '<spiffworkflow:property name="allotted" value="bảy ngày"/>'), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["process", "check", str(broken), "--forms",
                                                str(SAMPLES / "forms")])
    assert result.exit_code == 1
    assert "broken.bpmn:18 [Task_Examine]" in result.output


def test_check_prints_warnings_and_still_exits_0(app: Flask, tmp_path: Path) -> None:
    warned = tmp_path / "warned.bpmn"
    warned.write_text(SAMPLE_BPMN.read_text(encoding="utf-8")
                      .replace("refuse=Từ chối tiếp nhận", "tra=Từ chối tiếp nhận")
                      .replace('outcome == "refuse"', 'outcome == "tra"'), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["process", "check", str(warned), "--forms",
                                                str(SAMPLES / "forms")])
    assert result.exit_code == 0, result.output
    assert "[Task_Receive]: cảnh báo (meaning.undeclared)" in result.output
    assert "1 cảnh báo" in result.output


def test_check_unreadable_exits_2(app: Flask, tmp_path: Path) -> None:
    missing = app.test_cli_runner().invoke(args=["process", "check", str(tmp_path / "no")])
    assert missing.exit_code == 2
    doctype = tmp_path / "x.bpmn"
    doctype.write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
                       encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["process", "check", str(doctype)])
    assert result.exit_code == 2
    assert "DOCTYPE" in result.output


def test_publish_creates_an_immutable_version(app: Flask) -> None:
    runner = app.test_cli_runner()
    for kind in ("org", "decision"):
        assert runner.invoke(args=["import", kind, str(SAMPLES / f"{kind}.json")]).exit_code == 0
    result = runner.invoke(args=["process", "publish", "--procedure", "2.000488",
                                 str(SAMPLE_BPMN), "--effective", "2026-03-10"])
    assert result.exit_code == 0, result.output
    assert "phiên bản 1" in result.output
    version = db.session.scalar(select(ProcessVersion))
    assert version is not None and version.status == "published"
    assert str(version.effective) == "2026-03-10"
    assert set(version.spec) == {"spec", "subprocess_specs"}
    unknown = runner.invoke(args=["process", "publish", "--procedure", "9.999",
                                  str(SAMPLE_BPMN)])
    assert unknown.exit_code == 1
    assert "9.999" in unknown.output


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_runs_the_production_server(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "MOTCUA_DEV": "1", "MOTCUA_INSTANCE": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}"}
    motcua = [sys.executable, "-c", "from motcua.cli import main; main()"]
    subprocess.run([*motcua, "db", "upgrade"], env=env, check=True, capture_output=True,
                   cwd=REPO)
    server = subprocess.Popen([*motcua, "serve", "--port", str(port)], env=env, cwd=REPO,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json",
                                            timeout=2) as response:
                    body = response.read()
                    assert response.headers["Server"] == "motcua"
                break
            except OSError:
                time.sleep(0.1)
        assert b"/dossiers/{code}/history" in body
    finally:
        server.terminate()
        server.wait(timeout=10)
