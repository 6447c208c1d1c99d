"""``motcua backup FILE`` and ``motcua restore FILE [--force]``: exit 0 done, 1 refused or
failed (one line saying why; a refused restore changed nothing)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask.cli import with_appcontext

from motcua.maintenance.archive import BackupError


@click.command("backup")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--no-signing-key", is_flag=True,
              help="Không kèm khóa ký của kiểm soát (khi khóa được giữ riêng)")
@with_appcontext
def backup_command(file: Path, no_signing_key: bool) -> None:
    """Sao lưu cơ sở dữ liệu, tệp đính kèm và khóa ký vào một tệp (quyền 0600), khi ứng
    dụng vẫn đang chạy."""
    from motcua.maintenance.operations import backup

    started = time.perf_counter()
    try:
        done = backup(file, include_signing_key=not no_signing_key)
    except (BackupError, OSError) as exc:  # OSError: a full disk, a folder not writable
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(1)
    for name in done.skipped:
        click.echo(f"Bỏ qua (không phải tệp đính kèm): {name}", err=True)
    click.echo(f"{done.summary()} ({time.perf_counter() - started:.1f} giây)")


@click.command("restore")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True,
              help="Thay thế cơ sở dữ liệu và tệp đính kèm đang có")
@with_appcontext
def restore_command(file: Path, force: bool) -> None:
    """Khôi phục một bản sao lưu vào cơ sở dữ liệu và thư mục đang cấu hình (dừng motcua
    serve và motcua worker trước)."""
    from motcua.maintenance.operations import restore

    started = time.perf_counter()
    try:
        done = restore(file, force=force)
    except (BackupError, OSError) as exc:
        click.echo(f"Lỗi: {exc}", err=True)
        sys.exit(1)
    for line in done.summary():
        click.echo(line)
    click.echo(f"Xong trong {time.perf_counter() - started:.1f} giây.")
