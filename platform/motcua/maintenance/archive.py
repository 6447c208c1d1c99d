"""The backup archive: a plain (uncompressed, seekable) POSIX tar holding the database dump,
the attachments under ``attachments/``, the signing key and, last, ``manifest.json`` with
the size and SHA-256 of every other member.

Reading trusts nothing the archive says about the machine it is read on: every member must
be a regular file under a name of the layout below (no absolute path, no ``..``, no link,
no device, no sparse file, no duplicate), listed in the manifest with the same size, and
the sizes together cannot exceed the archive's own. Members are copied out by this module
to paths the caller chooses, hashed on the way; nothing is extracted by the archive's say."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tarfile
import tempfile
import time
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import IO, Any, BinaryIO

FORMAT = "motcua-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
SIGNING_KEY = "signing-key.pem"
ATTACHMENTS = "attachments"
MANIFEST_MAX_BYTES = 256 << 20
_CHUNK = 1 << 20
_SHA256 = re.compile(r"[0-9a-f]{64}")
# What a stored attachment's key is made of ("2026/<hex>.pdf"): nothing a shell or a
# file system reads specially.
_NAME_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,254}")


class BackupError(RuntimeError):
    """A backup or a restore that cannot go on; the message says why, in the officers'
    language, and nothing was changed unless it says so."""


def checked_name(name: str) -> str:
    """``name`` when it is one of the layout's member names, else BackupError."""
    path = PurePosixPath(name)
    parts = path.parts
    fixed = {MANIFEST, SIGNING_KEY, *DATABASE.values()}
    valid = (
        0 < len(name) <= 1024 and str(path) == name and not path.is_absolute()
        and (name in fixed
             or (len(parts) >= 2 and parts[0] == ATTACHMENTS
                 and all(_NAME_PART.fullmatch(p) for p in parts[1:]))))
    if not valid:
        raise BackupError(f"Tệp sao lưu có thành phần không hợp lệ: {name!r}")
    return name


class _Hashing:
    """A file read through: hashes what it hands out, counts it."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        self.size += len(data)
        return data


class ArchiveWriter:
    """Writes ``target`` through a temporary file beside it (mode 0600: the archive holds
    personal data and the signing key), renamed into place by ``commit``; an exception in
    the ``with`` block leaves no archive and no temporary file."""

    def __init__(self, target: Path) -> None:
        if target.exists():
            raise BackupError(f"Tệp {target} đã có: chọn tên khác (không ghi đè bản sao lưu)")
        if not target.parent.is_dir():
            raise BackupError(f"Không có thư mục {target.parent}")
        self.target = target
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                         suffix=".partial")
        self._temporary = Path(temporary)
        self._file: BinaryIO = os.fdopen(fd, "wb")
        # Open across calls, closed by commit() or __exit__.
        self._tar = tarfile.open(  # noqa: SIM115
            fileobj=self._file, mode="w", format=tarfile.PAX_FORMAT)
        self.members: dict[str, dict[str, Any]] = {}
        self._mtime = int(time.time())

    def __enter__(self) -> ArchiveWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, _value: BaseException | None,
                 _traceback: TracebackType | None) -> None:
        if kind is not None:
            self._tar.close()
            self._file.close()
            self._temporary.unlink(missing_ok=True)

    def add_file(self, name: str, path: Path) -> bool:
        """Add the file at ``path``; False when it vanished before it was opened (an upload
        rolled back meanwhile)."""
        try:
            source = path.open("rb")
        except FileNotFoundError:
            return False
        with source:
            size = os.fstat(source.fileno()).st_size
            reader = _Hashing(source)
            try:
                self._tar.addfile(self._info(name, size), reader)
            except OSError as exc:
                raise BackupError(f"Tệp {path} thay đổi trong khi sao lưu: {exc}") from None
        self.members[name] = {"size": size, "sha256": reader.digest.hexdigest()}
        return True

    def add_bytes(self, name: str, data: bytes) -> None:
        from io import BytesIO

        self._tar.addfile(self._info(name, len(data)), BytesIO(data))
        self.members[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}

    def _info(self, name: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(checked_name(name))
        info.size, info.mode, info.mtime = size, 0o600, self._mtime
        return info

    def commit(self, manifest: dict[str, Any]) -> int:
        """Write the manifest last, make the archive durable and put it in place; its size."""
        document = {**manifest, "members": self.members}
        self.add_bytes(MANIFEST, json.dumps(document, ensure_ascii=False, indent=1,
                                            sort_keys=True).encode())
        self._tar.close()
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        os.replace(self._temporary, self.target)
        return self.target.stat().st_size


class ArchiveReader:
    """An archive checked member by member against its manifest before anything is copied
    out of it (see the module's docstring)."""

    def __init__(self, path: Path) -> None:
        try:
            size = path.stat().st_size
            # "r:" reads plain tar only: a compressed stream could not be bounded up front.
            self._tar = tarfile.open(path, mode="r:")  # noqa: SIM115 (closed by close())
        except FileNotFoundError:
            raise BackupError(f"Không có tệp {path}") from None
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"{path} không phải tệp sao lưu đọc được: {exc}") from None
        try:
            self._infos = self._members(path, size)
            self.manifest = self._read_manifest()
        except BaseException:
            self._tar.close()
            raise

    def _members(self, path: Path, size: int) -> dict[str, tarfile.TarInfo]:
        try:
            infos = list(self._tar)
        except (OSError, tarfile.TarError) as exc:
            raise BackupError(f"{path} không phải tệp sao lưu đọc được: {exc}") from None
        found: dict[str, tarfile.TarInfo] = {}
        for info in infos:
            name = checked_name(info.name)
            if not info.isreg() or info.issparse():
                raise BackupError(f"Tệp sao lưu có thành phần không phải tệp thường: {name!r}")
            if name in found:
                raise BackupError(f"Tệp sao lưu có thành phần trùng tên: {name!r}")
            found[name] = info
        if sum(info.size for info in infos) > size:
            raise BackupError("Tệp sao lưu khai kích thước lớn hơn chính nó")
        return found

    def close(self) -> None:
        self._tar.close()

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _read_manifest(self) -> dict[str, Any]:
        info = self._infos.get(MANIFEST)
        if info is None:
            raise BackupError("Tệp sao lưu không có manifest.json")
        if info.size > MANIFEST_MAX_BYTES:
            raise BackupError("manifest.json quá lớn")
        raw = self._tar.extractfile(info)
        assert raw is not None  # a regular file
        try:
            doc = json.loads(raw.read())
        except (ValueError, RecursionError):
            raise BackupError("manifest.json không phải JSON hợp lệ") from None
        _check_manifest(doc)
        listed: dict[str, dict[str, Any]] = doc["members"]
        present = set(self._infos) - {MANIFEST}
        for name in sorted(present ^ set(listed)):
            where = "không có trong manifest" if name in present else "thiếu trong tệp sao lưu"
            raise BackupError(f"Thành phần {name!r} {where}")
        for name, entry in listed.items():
            if self._infos[name].size != entry["size"]:
                raise BackupError(f"Thành phần {name!r} không đúng kích thước trong manifest")
        return doc

    def names(self, folder: str) -> list[str]:
        prefix = folder + "/"
        return sorted(n for n in self._infos if n.startswith(prefix))

    def has(self, name: str) -> bool:
        return name in self._infos and name != MANIFEST

    def extract(self, name: str, dest: Path) -> None:
        """Copy member ``name`` to a new file ``dest`` (mode 0600), checking its SHA-256; a
        member that does not match is removed and refused."""
        info = self._infos[name]
        raw = self._tar.extractfile(info)
        assert raw is not None
        reader = _Hashing(raw)
        with dest.open("xb") as out:
            os.chmod(dest, 0o600)
            while chunk := reader.read(_CHUNK):
                out.write(chunk)
        self._check(name, reader, dest)

    def read_bytes(self, name: str) -> bytes:
        raw = self._tar.extractfile(self._infos[name])
        assert raw is not None
        reader = _Hashing(raw)
        data = reader.read()
        self._check(name, reader)
        return data

    def _check(self, name: str, reader: _Hashing, written: Path | None = None) -> None:
        expected = self.manifest["members"][name]
        if reader.size != expected["size"] or reader.digest.hexdigest() != expected["sha256"]:
            if written is not None:
                written.unlink(missing_ok=True)
            raise BackupError(f"Thành phần {name!r} bị hỏng hoặc bị sửa: mã SHA-256 không "
                              "khớp manifest")


def _check_manifest(doc: Any) -> None:
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise BackupError("manifest.json không phải của một bản sao lưu motcua")
    version = doc.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise BackupError(f"Định dạng sao lưu phiên bản {version!r} không đọc được "
                          f"(phiên bản này đọc đến {FORMAT_VERSION})")
    if doc.get("dialect") not in DATABASE:
        raise BackupError(f"Loại cơ sở dữ liệu không hỗ trợ: {doc.get('dialect')!r}")
    if not isinstance(doc.get("alembic_revision"), str):
        raise BackupError("manifest.json thiếu phiên bản lược đồ (alembic_revision)")
    members = doc.get("members")
    if not isinstance(members, dict):
        raise BackupError("manifest.json thiếu danh sách thành phần")
    for name, entry in members.items():
        checked_name(name)
        if (name == MANIFEST or not isinstance(entry, dict)
                or not isinstance(entry.get("size"), int) or entry["size"] < 0
                or not isinstance(entry.get("sha256"), str)
                or not _SHA256.fullmatch(entry["sha256"])):
            raise BackupError(f"manifest.json: mục {name!r} không hợp lệ")
    if DATABASE[doc["dialect"]] not in members:
        raise BackupError("Tệp sao lưu không có bản sao cơ sở dữ liệu")
