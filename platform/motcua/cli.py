"""The ``motcua`` command line (a Flask CLI group: ``flask --app motcua`` works too)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from motcua.config import ConfigError
from motcua.db import db
from motcua.errors import AppError


def _create_app() -> Flask:
    from motcua.app import create_app

    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"Lỗi cấu hình: {exc}", err=True)
        sys.exit(2)


def main() -> None:
    cli = FlaskGroup(create_app=_create_app, add_default_commands=False,
                     help="motcua — nền tảng quy trình điện tử cho Bộ phận Một cửa.")
    cli.main(prog_name="motcua")


@contextmanager
def transaction() -> Iterator[None]:
    """One transaction per command; a domain error becomes a one-line reason and exit 1."""
    try:
        yield
        db.session.commit()
    except AppError as exc:
        db.session.rollback()
        click.echo(f"Lỗi: {exc.message}", err=True)
        for detail in exc.details:
            where = detail.get("field") or detail.get("element_id") or ""
            line = f" (dòng {detail['line']})" if detail.get("line") else ""
            click.echo(f"  - {where}{line}: {detail.get('message')}", err=True)
        sys.exit(1)
    except Exception:
        db.session.rollback()
        raise


def _read_json(path: Path) -> tuple[Any, str]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        click.echo(f"Lỗi: không đọc được {path}: {exc.strerror}", err=True)
        sys.exit(2)
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        click.echo(f"Lỗi: {path} không phải JSON hợp lệ (dòng {exc.lineno}): {exc.msg}",
                   err=True)
        sys.exit(2)


def register_cli(app: Flask) -> None:
    from motcua.maintenance.cli import backup_command, restore_command

    for command in (import_group, process_group, serve, worker, demo, backup_command,
                    restore_command):
        app.cli.add_command(command)


@click.group("import", help="Nhập dữ liệu: tổ chức, quyết định công bố.")
def import_group() -> None:
    pass


@import_group.command("org")
@click.argument("file", type=click.Path(path_type=Path))
@with_appcontext
def import_org_command(file: Path) -> None:
    """Nhập org.json (idempotent, all-or-nothing)."""
    from motcua.org.operations import import_org

    doc, _ = _read_json(file)
    with transaction():
        report = import_org(doc)
    click.echo(report.summary())


@import_group.command("decision")
@click.argument("file", type=click.Path(path_type=Path))
@with_appcontext
def import_decision_command(file: Path) -> None:
    """Nhập decision.json (giữ nguyên văn làm căn cứ pháp lý)."""
    from motcua.catalog.operations import import_decision

    doc, text = _read_json(file)
    with transaction():
        report = import_decision(doc, text)
    click.echo(report.summary())


@click.group("process", help="Quy trình điện tử: kiểm tra, công bố.")
def process_group() -> None:
    pass


def _form_files(forms_dir: Path | None, bpmn: Path) -> list[Any]:
    """The --forms folder, else the library's own ``forms/`` beside ``bpmn/``."""
    from motcua.processes.operations import FormFile

    if forms_dir is None:
        forms_dir = bpmn.resolve().parent.parent / "forms"
        if not forms_dir.is_dir():
            return []
    if not forms_dir.is_dir():
        click.echo(f"Lỗi: không có thư mục biểu mẫu {forms_dir}", err=True)
        sys.exit(2)
    return [FormFile(p.name, p.read_bytes()) for p in sorted(forms_dir.glob("*.json"))]


def _library(bpmn: Path) -> list[tuple[str, bytes]]:
    """Sibling .bpmn files: shared sub-processes that call activities may reach."""
    return [(p.name, p.read_bytes()) for p in sorted(bpmn.parent.glob("*.bpmn")) if p != bpmn]


def _read_bpmn(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        click.echo(f"Lỗi: không đọc được {path}: {exc.strerror}", err=True)
        sys.exit(2)


@process_group.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--forms", "forms_dir", type=click.Path(path_type=Path), default=None)
@with_appcontext
def check_command(file: Path, forms_dir: Path | None) -> None:
    """Kiểm tra tệp BPMN; thoát 0 hợp lệ, 1 có lỗi, 2 không đọc được."""
    from motcua.processes.checks import check_process
    from motcua.processes.checks.problems import with_rule
    from motcua.processes.checks.xml_safety import XmlRejected, parse_xml
    from motcua.processes.operations import forms_from_files

    bpmn = _read_bpmn(file)
    try:
        parse_xml(bpmn, file.name)
    except XmlRejected as exc:
        click.echo(f"{file.name}: không đọc được: {exc}", err=True)
        sys.exit(2)
    forms, problems = forms_from_files(_form_files(forms_dir, file))
    lookups = _agency_lookups()
    result = check_process(bpmn, file.name, forms, library=_library(file),
                           agency_exists=lookups[0], agency_name=lookups[1])
    problems = with_rule(problems, "form") + result.problems
    for p in problems:
        where = ":".join(str(x) for x in (p.file or file.name, p.line) if x)
        element = f" [{p.element_id}]" if p.element_id else ""
        kind = "lỗi" if p.is_error else "cảnh báo"
        click.echo(f"{where}{element}: {kind} ({p.rule}): {p.message}")
    found = [p for p in problems if p.is_error]
    warnings = len(problems) - len(found)
    if found:
        click.echo(f"{len(found)} lỗi, {warnings} cảnh báo.", err=True)
        sys.exit(1)
    click.echo(f"Hợp lệ: quy trình {result.process_id}, {len(result.steps)} bước xử lý"
               + (f", {warnings} cảnh báo." if warnings else "."))


def _agency_lookups() -> tuple[Callable[[str], bool] | None,
                              Callable[[str], str | None] | None]:
    """Whether an agency code exists and its name, when a database with agencies is set up;
    without one, codes are not confirmed and messages name agencies by code."""
    from sqlalchemy import inspect

    if not inspect(db.engine).has_table("agency"):
        return None, None
    from motcua.processes.operations import agency_exists, agency_name

    return agency_exists, agency_name


@process_group.command("publish")
@click.option("--procedure", required=True, help="Mã thủ tục")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--forms", "forms_dir", type=click.Path(path_type=Path), default=None)
@click.option("--effective", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
@with_appcontext
def publish_command(procedure: str, file: Path, forms_dir: Path | None,
                    effective: Any) -> None:
    """Tải lên, kiểm tra và công bố một phiên bản quy trình."""
    from motcua.processes.operations import upload_and_publish

    bpmn = _read_bpmn(file)
    with transaction():
        version = upload_and_publish(procedure, bpmn, file.name, _form_files(forms_dir, file),
                                     effective.date() if effective else None,
                                     library=_library(file))
    click.echo(f"Đã công bố {procedure} phiên bản {version.version}, "
               f"hiệu lực từ {version.effective}.")


@click.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=8000, type=int)
@click.option("--threads", default=8, type=int)
def serve(host: str, port: int, threads: int) -> None:
    """Chạy ứng dụng web bằng máy chủ WSGI waitress."""
    from waitress import serve as waitress_serve

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"motcua đang chạy tại http://{host}:{port}/")
    waitress_serve(app, host=host, port=port, threads=threads, ident="motcua")


@click.command("worker")
@click.option("--interval", default=30.0, type=float, help="Số giây giữa hai lượt")
@click.option("--once", is_flag=True, help="Chạy một lượt rồi dừng")
@with_appcontext
def worker(interval: float, once: bool) -> None:
    """Kích hoạt hẹn giờ đến hạn và đánh dấu công việc quá hạn (chạy song song được)."""
    from motcua.clock import now
    from motcua.dossiers.worker import fire_due_timers, mark_overdue

    while True:
        with transaction():
            fired = fire_due_timers(now())
        with transaction():
            overdue = mark_overdue(now())
        # Jobs other domains register (the audit's daily seal): each decides if it is due.
        for job in current_app.extensions.get("motcua_daily_jobs", ()):
            with transaction():
                done = job(now())
            if done and once:
                click.echo(done)
        if once:
            click.echo(f"Hẹn giờ đã kích hoạt: {fired}; công việc quá hạn mới: {overdue}")
            return
        time.sleep(interval)


@click.command("demo")
@click.option("--effective", type=click.DateTime(formats=["%Y-%m-%d"]), default="2026-01-01")
@click.option("--dossiers", "dossier_count", type=click.IntRange(min=0), default=60,
              show_default=True, help="Số hồ sơ mẫu tạo trong bốn tháng trước hôm nay")
@click.option("--no-dossiers", is_flag=True, help="Không tạo hồ sơ mẫu")
@with_appcontext
def demo(effective: Any, dossier_count: int, no_dossiers: bool) -> None:
    """Nạp tỉnh mẫu, người dùng mẫu, thư viện quy trình (bpmn/, forms/) và hồ sơ mẫu."""
    from motcua.demo.loader import load_demo, load_dossiers

    with transaction():
        lines = load_demo(effective.date())
    for line in lines:
        click.echo(line)
    if dossier_count and not no_dossiers:
        with transaction():
            line = load_dossiers(dossier_count)
        click.echo(line)
