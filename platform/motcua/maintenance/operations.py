"""``backup`` and ``restore``: the database, the attachments store and the audit's signing
key, in one archive (``motcua.maintenance.archive``) and back.

The signing key goes into the backup by default. The tree heads in the database are signed
with it and ``motcua audit verify`` checks them with the key on the machine: a copy restored
on a new machine without it reads as forged from the first head on, and the next seal would
start a new key. The archive is therefore as secret as the key (and it holds every
citizen's dossier anyway): it is written with mode 0600 and must be kept like the key.
``--no-signing-key`` leaves it out where the key is kept apart (``AUDIT_SIGNING_KEY_FILE``);
its id and public key stay in the manifest, so the heads can still be checked offline.

A restore checks everything before it changes anything: the manifest, every member's
SHA-256 while it is copied into a staging folder beside the attachments store, the
database copy (SQLite's ``quick_check``, pg_restore's table of contents), the Alembic
revision (the code's head or one it can upgrade), an empty target. Then the staged
attachments folder is renamed into place, the database is replaced in one transaction
(undoing the rename if that fails) and the key is written. With ``--force``, the
attachments and key found there are kept beside their place (``*.before-restore-*``)."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app
from sqlalchemy.engine import Engine

from motcua.audit.integrity.signing import key_id, key_path
from motcua.clock import now
from motcua.db import db
from motcua.dossiers.attachments import store_root
from motcua.maintenance import dumps
from motcua.maintenance.archive import (
    ATTACHMENTS,
    DATABASE,
    FORMAT,
    FORMAT_VERSION,
    SIGNING_KEY,
    ArchiveReader,
    ArchiveWriter,
    BackupError,
    checked_name,
)


@dataclass(frozen=True)
class BackedUp:
    path: Path
    size: int
    dialect: str
    revision: str
    files: int
    file_bytes: int
    signing_key: bool
    skipped: list[str] = field(default_factory=list)

    def summary(self) -> str:
        key = "có khóa ký" if self.signing_key else "không có khóa ký"
        return (f"Đã sao lưu vào {self.path} ({_mb(self.size)}): cơ sở dữ liệu {self.dialect} "
                f"(lược đồ {self.revision}), {self.files} tệp đính kèm "
                f"({_mb(self.file_bytes)}), {key}.")


@dataclass(frozen=True)
class Restored:
    dialect: str
    revision: str
    files: int
    key: str  # what happened to the signing key, in a sentence
    upgraded_to: str | None = None
    kept_aside: list[Path] = field(default_factory=list)

    def summary(self) -> list[str]:
        lines = [f"Đã khôi phục cơ sở dữ liệu {self.dialect} (lược đồ {self.revision}) và "
                 f"{self.files} tệp đính kèm. {self.key}"]
        if self.upgraded_to:
            lines.append(f"Đã nâng cấp lược đồ lên {self.upgraded_to}.")
        lines += [f"Dữ liệu cũ được giữ tại {path} (xóa khi không cần)."
                  for path in self.kept_aside]
        return lines


def _mb(size: int) -> str:
    return f"{size / 1_048_576:.1f} MB"


def _app_version() -> str:
    try:
        return version("motcua")
    except PackageNotFoundError:
        return "unknown"


def backup(target: Path, include_signing_key: bool = True) -> BackedUp:
    """Write a backup of this installation to ``target`` (which must not exist)."""
    engine = db.engine
    dialect = engine.dialect.name
    root = store_root()
    member = DATABASE[dialect]
    extra: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".motcua-backup-") as work, \
            ArchiveWriter(target) as archive:
        dump = Path(work) / member
        if dialect == "sqlite":
            revision = dumps.dump_sqlite(engine.url, dump)
        else:
            revision, extra["pg_dump_major"] = dumps.dump_postgres(engine, dump)
        if not archive.add_file(member, dump):
            raise BackupError(f"Bản sao cơ sở dữ liệu {dump} biến mất trước khi được ghi")
        dump.unlink()
        # After the snapshot: every file a row of it names was written before its row was
        # committed, so it is here. Files written since are orphans the sweep removes.
        files, file_bytes, skipped = 0, 0, list[str]()
        for name, path in _attachment_files(root, skipped):
            if archive.add_file(name, path):
                files += 1
                file_bytes += archive.members[name]["size"]
        key = _key_facts(key_path(current_app)[0])
        if key is not None and include_signing_key:
            archive.add_bytes(SIGNING_KEY, key[0])
        size = archive.commit({
            "format": FORMAT, "format_version": FORMAT_VERSION, "app_version": _app_version(),
            "created_at": now().astimezone(UTC).isoformat(), "dialect": dialect,
            "alembic_revision": revision, "attachments": files,
            "signing_key": None if key is None else {"key_id": key[1], "public_pem": key[2]},
            **extra})
    return BackedUp(target, size, dialect, revision, files, file_bytes,
                    key is not None and include_signing_key, skipped)


def _attachment_files(root: Path, skipped: list[str]) -> list[tuple[str, Path]]:
    """Every regular file of the store, by member name; anything else (a link, a stray file
    under a name the store never makes) is listed in ``skipped``."""
    found = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_dir() and not path.is_symlink():
            continue
        name = f"{ATTACHMENTS}/{relative}"
        try:
            checked_name(name)
        except BackupError:
            skipped.append(relative)
            continue
        if path.is_symlink() or not path.is_file():
            skipped.append(relative)
            continue
        found.append((name, path))
    return found


def _key_facts(path: Path) -> tuple[bytes, str, str] | None:
    """The key file's bytes, key id and public PEM; None when there is no key yet."""
    if not path.exists():
        return None
    try:
        pem = path.read_bytes()
    except OSError as exc:
        raise BackupError(f"Không đọc được khóa ký {path}: {exc.strerror}") from None
    key = _private_key(pem, str(path))
    public = key.public_key()
    return pem, key_id(public), public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _private_key(pem: bytes, where: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise BackupError(f"{where} không phải khóa bí mật Ed25519")
    return key


def restore(source: Path, force: bool = False) -> Restored:
    """Restore the backup ``source`` into the configured database, attachments store and
    signing key file (see the module's docstring for the order and the checks)."""
    engine = db.engine
    db.session.remove()
    engine.dispose()  # this process's pooled connections hold nothing across the swap
    with ArchiveReader(source) as archive:
        manifest = archive.manifest
        script = _check_revision(manifest, engine.dialect.name)
        root = store_root()
        _check_empty(engine, root, force)
        key_file = key_path(current_app)[0]
        _check_key(archive, key_file, force)
        stamp = now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        staging = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}.restoring-"))
        try:
            copy, files, key_pem = _stage(archive, staging, engine)
            kept = _swap_in(files, root, stamp)
            try:
                if engine.dialect.name == "sqlite":
                    dumps.restore_sqlite(copy, engine.url)
                else:
                    dumps.restore_postgres(copy, engine)
            except BaseException:
                _swap_back(files, root, kept)
                raise
            engine.dispose()
            key, kept_key = _put_key(key_pem, key_file, manifest, stamp)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    upgraded = _after(engine, manifest["alembic_revision"], script)
    return Restored(engine.dialect.name, manifest["alembic_revision"],
                    len([n for n in manifest["members"] if n.startswith(ATTACHMENTS + "/")]),
                    key, upgraded, [p for p in (kept, kept_key) if p is not None])


def _check_revision(manifest: dict[str, Any], dialect: str) -> ScriptDirectory:
    if manifest["dialect"] != dialect:
        raise BackupError(f"Bản sao lưu là của cơ sở dữ liệu {manifest['dialect']}, cơ sở dữ "
                          f"liệu đang cấu hình là {dialect}")
    script = ScriptDirectory(current_app.extensions["migrate"].directory)
    revision = manifest["alembic_revision"]
    if revision not in {r.revision for r in script.walk_revisions()}:
        raise BackupError(f"Lược đồ {revision!r} của bản sao lưu không có trong phiên bản "
                          "phần mềm này (bản sao lưu của phiên bản mới hơn?)")
    return script


def _check_empty(engine: Engine, root: Path, force: bool) -> None:
    if force:
        return
    tables = dumps.holds_rows(engine)
    if tables:
        shown = ", ".join(tables[:5]) + (", ..." if len(tables) > 5 else "")
        raise BackupError(f"Cơ sở dữ liệu đích đã có dữ liệu ({shown}): khôi phục vào cơ sở "
                          "dữ liệu trống, hoặc dùng --force để thay thế")
    if any(root.iterdir()):
        raise BackupError(f"Thư mục tệp đính kèm {root} không trống: dùng --force để thay thế "
                          "(thư mục cũ được giữ lại bên cạnh)")


def _check_key(archive: ArchiveReader, path: Path, force: bool) -> None:
    listed = archive.manifest.get("signing_key") or {}
    present = _key_facts(path)
    if (archive.has(SIGNING_KEY) and present is not None and not force
            and present[1] != listed.get("key_id")):
        raise BackupError(f"Đã có một khóa ký khác tại {path}: dùng --force để thay (khóa cũ "
                          "được giữ lại bên cạnh)")


def _stage(archive: ArchiveReader, staging: Path, engine: Engine
           ) -> tuple[Path, Path, bytes | None]:
    """Copy every member out of the archive into ``staging``, each checked against the
    manifest, and check the database copy: nothing of the installation is touched yet."""
    manifest = archive.manifest
    member = DATABASE[manifest["dialect"]]
    copy = staging / member
    archive.extract(member, copy)
    if manifest["dialect"] == "sqlite":
        if dumps.check_sqlite_copy(copy) != manifest["alembic_revision"]:
            raise BackupError("Bản sao cơ sở dữ liệu không cùng lược đồ với manifest")
    else:
        held = dumps.check_postgres_copy(copy, int(manifest.get("pg_dump_major") or 0))
        # --clean drops and recreates only what the dump holds: a table it lacks would stay.
        extra = sorted(dumps.table_names(engine) - held)
        if extra:
            raise BackupError("Cơ sở dữ liệu đích có bảng không có trong bản sao lưu ("
                              + ", ".join(extra[:5]) + "): khôi phục vào cơ sở dữ liệu trống")
    files = staging / "files"
    files.mkdir()
    for name in archive.names(ATTACHMENTS):
        dest = files / name.removeprefix(ATTACHMENTS + "/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        archive.extract(name, dest)
    key_pem = archive.read_bytes(SIGNING_KEY) if archive.has(SIGNING_KEY) else None
    if key_pem is not None:
        listed = (manifest.get("signing_key") or {}).get("key_id")
        if key_id(_private_key(key_pem, SIGNING_KEY).public_key()) != listed:
            raise BackupError("Khóa ký trong bản sao lưu không khớp mã khóa trong manifest")
    return copy, files, key_pem


def _swap_in(files: Path, root: Path, stamp: str) -> Path | None:
    """The staged folder becomes the store; the store found there, when it held anything,
    is renamed beside it and returned."""
    kept = None
    try:
        if any(root.iterdir()):
            kept = root.with_name(f"{root.name}.before-restore-{stamp}")
            root.rename(kept)
        else:
            root.rmdir()
        files.rename(root)
    except OSError as exc:
        if kept is not None and not root.exists():
            kept.rename(root)
        raise BackupError(f"Không thay được thư mục tệp đính kèm {root}: {exc}") from None
    return kept


def _swap_back(files: Path, root: Path, kept: Path | None) -> None:
    root.rename(files)
    if kept is not None:
        kept.rename(root)
    else:
        root.mkdir()


def _put_key(pem: bytes | None, path: Path, manifest: dict[str, Any], stamp: str
             ) -> tuple[str, Path | None]:
    listed = manifest.get("signing_key") or {}
    present = _key_facts(path)
    if pem is None:
        if listed and (present is None or present[1] != listed["key_id"]):
            return (f"Bản sao lưu không kèm khóa ký: đặt khóa {listed['key_id'][:16]}… tại "
                    f"{path} để kiểm tra các đầu cây đã ký."), None
        return "Khóa ký trên máy này được giữ nguyên.", None
    if present is not None and present[1] == listed["key_id"]:
        return "Khóa ký trên máy này đã đúng khóa của bản sao lưu.", None
    kept = None
    if present is not None:
        kept = path.with_name(f"{path.name}.before-restore-{stamp}")
        path.rename(kept)
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as out:
        out.write(pem)
    return f"Đã khôi phục khóa ký vào {path} (quyền 0600).", kept


def _after(engine: Engine, revision: str, script: ScriptDirectory) -> str | None:
    """The restored database: its revision as the manifest said, the history's triggers in
    place, then migrated to the code's head when it was older."""
    found = dumps.revision_of(engine)
    if found != revision:
        raise BackupError(f"Cơ sở dữ liệu sau khôi phục có lược đồ {found!r}, manifest ghi "
                          f"{revision!r}")
    missing = dumps.missing_triggers(engine)
    if missing:
        raise BackupError("Cơ sở dữ liệu sau khôi phục thiếu trigger bảo vệ lịch sử: "
                          + ", ".join(sorted(missing)))
    head = script.get_current_head()
    if revision == head:
        return None
    from flask_migrate import upgrade

    upgrade()
    return head
