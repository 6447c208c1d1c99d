"""``motcua backup`` and ``motcua restore``: a round trip into an empty database and an
empty instance folder keeps every row of every table, every attachment byte for byte, the
signed heads (``motcua audit verify`` exits 0) and the history's triggers; a tampered or
hostile archive, a database that holds data, a missing pg_dump are refused with a reason and
leave nothing changed.

Real commits (``committed``): the backup reads the database from connections of its own."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import tarfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import DBAPIError

from motcua.audit.integrity.seal import seal
from motcua.audit.integrity.signing import signing_key
from motcua.calendar.working_time import TZ
from motcua.clock import now
from motcua.db import db
from motcua.dossiers.attachments import Upload, save_attachments, store_root
from motcua.dossiers.models import Dossier
from motcua.maintenance.archive import DATABASE, MANIFEST
from motcua.org.models import User
from support.api import Api, at_examination, new_dossier, received
from support.clock import FakeClock
from support.database import app_on_empty_database

pytestmark = pytest.mark.committed

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082")


@pytest.fixture
def province(app: Flask, sample: Any, api: Api, clock: FakeClock) -> list[str]:
    """Three dossiers made through the API at different steps, scans attached to each, and
    the day's tree head signed: their codes."""
    codes = [received(api)[0], at_examination(api)[0], new_dossier(api, "mc.lan")["code"]]
    user = db.session.scalar(select(User).where(User.username == "mc.lan"))
    assert user is not None
    for index, code in enumerate(codes):
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier is not None
        save_attachments(dossier, [Upload(f"to-khai-{index}.pdf", PDF + bytes([index])),
                                   Upload(f"cccd-{index}.png", PNG)], user, now())
    db.session.commit()
    seal(clock().astimezone(TZ).date(), clock())
    db.session.commit()
    return codes


def _rows() -> dict[str, list[tuple[Any, ...]]]:
    """Every table of the models, row by row in primary-key order."""
    with db.engine.connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
            select(table).order_by(*(table.primary_key.columns or table.columns)))]
            for table in db.metadata.sorted_tables}


def _files() -> dict[str, bytes]:
    root = store_root()
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


def _backup(app: Flask, archive: Path, *args: str) -> Any:
    result = app.test_cli_runner().invoke(args=["backup", *args, str(archive)])
    assert result.exit_code == 0, result.output
    return result


@contextmanager
def _empty_target(tmp_path: Path) -> Iterator[Flask]:
    """An application on a new empty database of the same kind, with an empty instance."""
    with app_on_empty_database(db.engine.dialect.name, tmp_path / "target") as target:
        yield target


def _restore(target: Flask, archive: Path, *args: str) -> Any:
    return target.test_cli_runner().invoke(args=["restore", *args, str(archive)])


def test_a_round_trip_keeps_every_row_file_and_signed_head(
        app: Flask, province: list[str], tmp_path: Path) -> None:
    archive = tmp_path / "motcua.tar"
    _backup(app, archive)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    rows, files, key_id = _rows(), _files(), signing_key().key_id
    assert len(rows["dossier"]) == 3 and len(rows["attachment"]) == 6
    assert len(rows["tree_head"]) == 1 and len(files) >= 6

    with _empty_target(tmp_path) as target:
        result = _restore(target, archive)
        assert result.exit_code == 0, result.output
        assert _rows() == rows
        assert _files() == files
        key = Path(target.instance_path) / "audit-signing-key.pem"
        assert stat.S_IMODE(key.stat().st_mode) == 0o600
        assert signing_key(target).key_id == key_id
        verify = target.test_cli_runner().invoke(args=["audit", "verify"])
        assert verify.exit_code == 0, verify.output
        assert "Toàn vẹn: 3 hồ sơ" in verify.output and "1 đầu cây đã ký" in verify.output
        # The restored history is still append-only.
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text("UPDATE history_event SET note = 'sửa'"))

        # Now it holds data: refused without --force, replaced with it (the files found
        # there kept beside the store).
        again = _restore(target, archive)
        assert again.exit_code == 1
        assert "Cơ sở dữ liệu đích đã có dữ liệu" in again.output
        forced = _restore(target, archive, "--force")
        assert forced.exit_code == 0, forced.output
        assert _rows() == rows and _files() == files
        kept = [p.name for p in Path(target.instance_path).iterdir()
                if p.name.startswith("attachments.before-restore-")]
        assert len(kept) == 1, kept
        assert target.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0


def test_a_restore_into_a_database_that_holds_data_is_refused(
        app: Flask, province: list[str], tmp_path: Path) -> None:
    archive = tmp_path / "motcua.tar"
    _backup(app, archive)
    rows, files = _rows(), _files()
    result = _restore(app, archive)
    assert result.exit_code == 1
    assert "Cơ sở dữ liệu đích đã có dữ liệu" in result.output and "--force" in result.output
    assert _rows() == rows and _files() == files


Change = Callable[[tarfile.TarInfo, bytes, dict[str, Any]], bytes | None]


def _rewrite(archive: Path, dest: Path, change: Change,
             extra: list[tuple[tarfile.TarInfo, bytes]] | None = None) -> Path:
    """A copy of ``archive``: ``change`` may alter each member's bytes (None drops it) and
    the manifest (its third argument, written last); ``extra`` members are added first."""
    with tarfile.open(archive) as source:
        members = [(info, source.extractfile(info).read())  # type: ignore[union-attr]
                   for info in source]
    manifest = json.loads(dict((i.name, d) for i, d in members)[MANIFEST])
    kept = []
    for info, data in members:
        if info.name == MANIFEST:
            continue
        changed = change(info, data, manifest)
        if changed is not None:
            kept.append((info, changed))
    body = json.dumps(manifest).encode()
    with tarfile.open(dest, "w", format=tarfile.PAX_FORMAT) as out:
        for info, data in [*(extra or []), *kept, (tarfile.TarInfo(MANIFEST), body)]:
            info.size = len(data)
            out.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return dest


def _refused(app: Flask, tmp_path: Path, change: Change,
             extra: list[tuple[tarfile.TarInfo, bytes]] | None = None) -> str:
    """A backup of ``app`` altered by ``change`` is refused by a restore into an empty
    target, and nothing of it is left there: no table, no file, no key, no staging folder.
    Answers what the restore said."""
    archive = tmp_path / "motcua.tar"
    _backup(app, archive)
    altered = _rewrite(archive, tmp_path / "altered.tar", change, extra)
    with _empty_target(tmp_path) as target:
        result = _restore(target, altered)
        assert result.exit_code == 1, result.output
        assert inspect(db.engine).get_table_names() == []
        assert _files() == {}
        assert [name for name in _instance(target) if name != "dev-secret-key"] == [
            "attachments"]
    return str(result.output)


def _instance(target: Flask) -> list[str]:
    return sorted(p.name for p in Path(target.instance_path).iterdir())


def test_a_member_that_does_not_match_its_hash_is_refused(
        app: Flask, province: list[str], tmp_path: Path) -> None:
    flipped: list[str] = []

    def flip_every_attachment(info: tarfile.TarInfo, data: bytes, _m: dict[str, Any]) -> bytes:
        if not info.name.startswith("attachments/"):
            return data
        flipped.append(info.name)
        return data[:-1] + bytes([data[-1] ^ 1])

    said = _refused(app, tmp_path, flip_every_attachment)
    # The first one copied out is named; the database was copied out and checked before it.
    assert f"Thành phần '{min(flipped)}' bị hỏng hoặc bị sửa" in said


def _regular(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), data


def _symlink(name: str, to: str) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = tarfile.SYMTYPE, to
    return info, b""


@pytest.mark.parametrize(("member", "listed", "message"), [
    (_regular("attachments/../../evil.pdf", PDF), True, "thành phần không hợp lệ"),
    (_regular("/etc/motcua-evil.pdf", PDF), True, "thành phần không hợp lệ"),
    (_regular("attachments/2026/../../../evil.pdf", PDF), True, "thành phần không hợp lệ"),
    (_symlink("attachments/2026/passwd.pdf", "/etc/passwd"), True, "không phải tệp thường"),
    (_regular("attachments/2026/undeclared.pdf", PDF), False, "không có trong manifest"),
], ids=["dotdot", "absolute", "dotdot-inside", "symlink", "undeclared"])
def test_a_hostile_member_is_refused_before_anything_is_written(
        app: Flask, tmp_path: Path, member: tuple[tarfile.TarInfo, bytes], listed: bool,
        message: str) -> None:
    def declare(_info: tarfile.TarInfo, data: bytes, manifest: dict[str, Any]) -> bytes:
        if listed:
            manifest["members"][member[0].name] = {
                "size": len(member[1]), "sha256": hashlib.sha256(member[1]).hexdigest()}
        return data

    assert message in _refused(app, tmp_path, declare, [member])
    assert not list(tmp_path.rglob("evil.pdf")) and not Path("/etc/motcua-evil.pdf").exists()


@pytest.mark.parametrize(("edit", "message"), [
    ({"alembic_revision": "ffffffffffff"}, "không có trong phiên bản phần mềm này"),
    ({"format_version": 99}, "Định dạng sao lưu phiên bản 99"),
    ({"format": "other"}, "không phải của một bản sao lưu motcua"),
], ids=["unknown-revision", "newer-format", "not-ours"])
def test_a_manifest_the_code_cannot_restore_is_refused(
        app: Flask, tmp_path: Path, edit: dict[str, Any], message: str) -> None:
    def change(_info: tarfile.TarInfo, data: bytes, manifest: dict[str, Any]) -> bytes:
        manifest.update(edit)
        return data

    assert message in _refused(app, tmp_path, change)


def test_a_backup_of_the_other_kind_of_database_is_refused(app: Flask, tmp_path: Path) -> None:
    here = db.engine.dialect.name
    other = "postgresql" if here == "sqlite" else "sqlite"

    def swap(info: tarfile.TarInfo, data: bytes, manifest: dict[str, Any]) -> bytes:
        if info.name == DATABASE[here]:
            info.name = DATABASE[other]
            manifest["members"][DATABASE[other]] = manifest["members"].pop(DATABASE[here])
        manifest["dialect"] = other
        return data

    assert f"Bản sao lưu là của cơ sở dữ liệu {other}" in _refused(app, tmp_path, swap)


def test_without_pg_dump_on_path_a_postgresql_backup_says_so(
        app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    archive = tmp_path / "motcua.tar"
    result = app.test_cli_runner().invoke(args=["backup", str(archive)])
    if db.engine.dialect.name == "sqlite":
        # SQLite's copy is the backup API in this process: no tool needed.
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1
    assert "Không tìm thấy pg_dump trên PATH" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bin"]  # no archive, no temporary


def test_a_pg_dump_older_than_the_server_is_named(
        app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite's copy needs no tool")
    from motcua.maintenance import dumps

    monkeypatch.setattr(dumps, "tool_major", lambda _path: 9)
    archive = tmp_path / "motcua.tar"
    result = app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 1
    server = dumps.server_major(db.engine)
    assert f"là phiên bản 9, máy chủ PostgreSQL là {server}: cần pg_dump {server}" in result.output
    assert not archive.exists()


def test_a_backup_never_overwrites_a_file(app: Flask, tmp_path: Path) -> None:
    archive = tmp_path / "motcua.tar"
    archive.write_bytes(b"an earlier backup")
    result = app.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 1 and "đã có" in result.output
    assert archive.read_bytes() == b"an earlier backup"


def test_without_the_signing_key_the_manifest_still_names_it(
        app: Flask, province: list[str], tmp_path: Path) -> None:
    archive = tmp_path / "motcua.tar"
    _backup(app, archive, "--no-signing-key")
    with tarfile.open(archive) as source:
        names = source.getnames()
        manifest = json.loads(source.extractfile(MANIFEST).read())  # type: ignore[union-attr]
    assert "signing-key.pem" not in names
    assert manifest["signing_key"]["key_id"] == signing_key().key_id
    assert manifest["signing_key"]["public_pem"] == signing_key().public_pem
    with _empty_target(tmp_path) as target:
        result = _restore(target, archive)
        assert result.exit_code == 0, result.output
        assert "không kèm khóa ký" in result.output
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 3


def test_a_backup_of_an_older_schema_is_restored_and_upgraded(
        app: Flask, tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory
    from flask_migrate import upgrade

    script = ScriptDirectory(app.extensions["migrate"].directory)
    head = script.get_revision(script.get_current_head() or "")
    assert head is not None and isinstance(head.down_revision, str)
    archive = tmp_path / "older.tar"
    with app_on_empty_database(db.engine.dialect.name, tmp_path / "older") as older:
        upgrade(revision=head.down_revision)
        _backup(older, archive)
    with _empty_target(tmp_path) as target:
        result = _restore(target, archive)
        assert result.exit_code == 0, result.output
        assert f"Đã nâng cấp lược đồ lên {head.revision}" in result.output
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")
                                      ).scalar() == head.revision


def test_a_restore_that_fails_midway_puts_the_files_back(
        app: Flask, province: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from motcua.maintenance import dumps
    from motcua.maintenance.archive import BackupError

    archive = tmp_path / "motcua.tar"
    _backup(app, archive)
    with _empty_target(tmp_path) as target:
        assert _restore(target, archive).exit_code == 0
        rows, files, instance = _rows(), _files(), _instance(target)

        def fails(*_args: Any) -> None:
            raise BackupError("ổ đĩa đầy")

        with monkeypatch.context() as patch:
            patch.setattr(dumps, {"sqlite": "restore_sqlite", "postgresql": "restore_postgres"}[
                db.engine.dialect.name], fails)
            result = _restore(target, archive, "--force")
        assert result.exit_code == 1 and "ổ đĩa đầy" in result.output
        assert _rows() == rows and _files() == files and _instance(target) == instance


def test_a_pg_restore_that_fails_midway_changes_nothing(
        app: Flask, province: list[str], tmp_path: Path) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pg_restore's own transaction; SQLite's is the backup API's (above)")
    archive = tmp_path / "motcua.tar"
    _backup(app, archive)
    with _empty_target(tmp_path) as target:
        assert _restore(target, archive).exit_code == 0
        with db.engine.begin() as connection:
            # --clean cannot drop a table a view depends on: pg_restore fails partway.
            connection.execute(text("CREATE VIEW kept_view AS SELECT id FROM dossier"))
            connection.execute(text("INSERT INTO audit_setting (key, value, updated_at) "
                                    "VALUES ('restore-probe', '1', now())"))
        rows, files = _rows(), _files()
        result = _restore(target, archive, "--force")
        assert result.exit_code == 1 and "pg_restore thất bại" in result.output
        assert _rows() == rows and _files() == files


@pytest.mark.parametrize(("url", "uri", "password"), [
    ("postgresql+psycopg://motcua:p%40ss@db.example:5433/motcua?sslmode=require",
     "postgresql://motcua@db.example:5433/motcua?sslmode=require", "p@ss"),
    ("postgresql+psycopg://motcua@/motcua?host=/run/postgresql&password=zz",
     "postgresql://motcua@/motcua?host=%2Frun%2Fpostgresql", "zz"),
    ("postgresql+psycopg://motcua@127.0.0.1/motcua", "postgresql://motcua@127.0.0.1/motcua",
     None),
], ids=["in-url", "in-query", "none"])
def test_the_postgresql_tools_get_the_password_by_environment_never_in_argv(
        url: str, uri: str, password: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.engine import make_url

    from motcua.maintenance.dumps import _libpq

    monkeypatch.delenv("PGPASSWORD", raising=False)
    dbname, env = _libpq(make_url(url))
    assert dbname == uri
    assert env.get("PGPASSWORD") == password
