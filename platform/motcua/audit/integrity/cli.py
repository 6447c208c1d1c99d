"""``motcua audit verify [--dossier CODE]`` and ``motcua audit seal [--day YYYY-MM-DD]``.

The group is added to the application's CLI by ``register_audit`` (``motcua.cli`` does not
import the audit): the ``motcua`` script is Flask's CLI, so it lists it."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

import click
from flask.cli import with_appcontext

from motcua.audit.integrity.signing import SigningKeyError
from motcua.calendar.working_time import TZ
from motcua.cli import transaction
from motcua.clock import now
from motcua.db import db
from motcua.errors import AppError


@click.group("audit", help="Kiểm soát TTHC: tính toàn vẹn của lịch sử hồ sơ.")
def audit_group() -> None:
    pass


@audit_group.command("verify")
@click.option("--dossier", "code", default=None, help="Chỉ kiểm tra một hồ sơ (mã hồ sơ)")
@with_appcontext
def verify_command(code: str | None) -> None:
    """Kiểm tra chuỗi băm của mọi hồ sơ và các đầu cây đã ký; thoát 0 khi toàn vẹn, 1 khi
    có chỗ bị sửa đổi (mỗi chỗ một dòng: mã hồ sơ và vị trí sự kiện)."""
    from motcua.audit.integrity.verify import verify_all, verify_dossier

    try:
        report = verify_dossier(code) if code else verify_all()
    except (AppError, SigningKeyError) as exc:
        click.echo(f"Lỗi: {getattr(exc, 'message', exc)}", err=True)
        sys.exit(2)
    finally:
        db.session.rollback()  # read only
    for problem in report.problems:
        click.echo(problem.line)
    if report.proof is not None:
        proof = report.proof
        click.echo(f"Lá thứ {proof.index + 1}/{proof.tree_size} của đầu cây ngày "
                   f"{proof.day:%d/%m/%Y} ({proof.size} sự kiện, đầu chuỗi {proof.head}); "
                   f"bằng chứng {len(proof.path)} mã băm.")
    click.echo(report.summary(), err=not report.intact)
    if not report.intact:
        sys.exit(1)


@audit_group.command("seal")
@click.option("--day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Ngày cần ký (mặc định: hôm qua, giờ Việt Nam)")
@with_appcontext
def seal_command(day: datetime | None) -> None:
    """Ký đầu cây Merkle của ngày trên đầu chuỗi mọi hồ sơ (mỗi ngày một lần)."""
    from motcua.audit.integrity.seal import seal

    at = now()
    which = day.date() if day else at.astimezone(TZ).date() - timedelta(days=1)
    try:
        with transaction():
            sealed = seal(which, at)
    except SigningKeyError as exc:
        db.session.rollback()
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(2)
    click.echo(sealed.summary())
