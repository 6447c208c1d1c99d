"""The database's copy: SQLite's online backup API (a consistent snapshot while the
application writes), PostgreSQL's ``pg_dump --format=custom`` and ``pg_restore``.

The PostgreSQL tools are found on PATH and run without a shell; the connection goes as a
libpq URI in ``--dbname`` without its password, which travels in ``PGPASSWORD`` (argv is
readable by every user of the machine, the environment is not)."""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import exists, inspect, select, table, text
from sqlalchemy.engine import URL, Engine

from motcua.maintenance.archive import BackupError

# Tables the migrations fill themselves: a database holding only these is empty.
SCHEMA_ONLY = {"alembic_version", "motcua_write_lock"}
# The history's append-only triggers (migration c3a7e1f09b52), by dialect.
TRIGGERS = {"sqlite": {"history_event_no_update", "history_event_no_delete"},
            "postgresql": {"history_event_no_change", "history_event_no_truncate"}}


def sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        raise BackupError("Chỉ sao lưu và khôi phục được cơ sở dữ liệu SQLite là một tệp")
    return Path(url.database)


def dump_sqlite(url: URL, dest: Path) -> str:
    """A snapshot of the database file into ``dest``; the snapshot's Alembic revision."""
    source = sqlite_file(url)
    if not source.is_file():
        raise BackupError(f"Không có tệp cơ sở dữ liệu {source}")
    with closing(sqlite3.connect(source, timeout=30)) as src, \
            closing(sqlite3.connect(dest)) as out:
        # One step: one read transaction, so the copy is one moment of the database,
        # however long writers keep going in WAL mode meanwhile.
        src.backup(out)
        # The copy stands alone: no -wal file beside it in the archive.
        out.execute("PRAGMA journal_mode=DELETE")
        return _sqlite_revision(out)


def _sqlite_revision(connection: sqlite3.Connection) -> str:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        row = None
    if row is None:
        raise BackupError("Cơ sở dữ liệu chưa có lược đồ (chạy motcua db upgrade)")
    return str(row[0])


def check_sqlite_copy(copy: Path) -> str:
    """The staged copy is a sound SQLite database: its Alembic revision."""
    try:
        with closing(sqlite3.connect(copy)) as connection:
            problems = connection.execute("PRAGMA quick_check").fetchall()
            if problems != [("ok",)]:
                raise BackupError(f"Bản sao SQLite bị hỏng: {problems[0][0]}")
            return _sqlite_revision(connection)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Bản sao SQLite không đọc được: {exc}") from None


def restore_sqlite(copy: Path, url: URL) -> None:
    """Replace the database's content with ``copy`` through the backup API: it writes the
    target in one transaction (rolled back if it fails midway), under the target's locks,
    so the file, its WAL and any reader stay consistent."""
    target = sqlite_file(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with closing(sqlite3.connect(copy)) as src, \
                closing(sqlite3.connect(target, timeout=30)) as out:
            src.backup(out)
    except sqlite3.Error as exc:
        raise BackupError(f"Không khôi phục được vào {target}: {exc}") from None


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"Không tìm thấy {name} trên PATH: cài PostgreSQL client (gói "
                          "postgresql-client) cùng phiên bản chính với máy chủ hoặc mới hơn")
    return found


def tool_major(path: str) -> int:
    try:
        # No shell; the tool is the one PATH names, the arguments are ours.
        out = subprocess.run(  # noqa: S603
            [path, "--version"], capture_output=True, text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise BackupError(f"Không chạy được {path}: {exc}") from None
    match = re.search(r"\)\s*(\d+)", out) or re.search(r"(\d+)\.\d+", out)
    if match is None:
        raise BackupError(f"Không đọc được phiên bản của {path}: {out.strip()!r}")
    return int(match.group(1))


def server_major(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SHOW server_version_num")).scalar_one()) // 10000


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """``--dbname`` (a libpq URI without the password) and the environment to run with."""
    env = dict(os.environ)  # a PGPASSWORD or PGPASSFILE the application uses serves here too
    # The psycopg URL's query is libpq's (sslmode, host for a socket folder ...).
    query = {k: v for k, v in url.query.items() if k != "password"}
    password = url.password or url.query.get("password")
    if password:
        env["PGPASSWORD"] = str(password)
    bare = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                      database=url.database, query=query)
    return bare.render_as_string(hide_password=False), env


def _run(args: list[str], env: dict[str, str], what: str) -> str:
    try:
        done = subprocess.run(  # noqa: S603 (no shell; the tool from PATH, arguments ours)
            args, env=env, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BackupError(f"Không chạy được {args[0]}: {exc}") from None
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise BackupError(f"{what} thất bại (mã {done.returncode}): "
                          + " | ".join(lines[-5:]))
    return done.stdout


def dump_postgres(engine: Engine, dest: Path) -> tuple[str, int]:
    """``pg_dump --format=custom`` of the database into ``dest``: the Alembic revision and
    pg_dump's major version. A pg_dump older than the server refuses to run, so it is
    asked first and named in the error."""
    pg_dump = _tool("pg_dump")
    client, server = tool_major(pg_dump), server_major(engine)
    if client < server:
        raise BackupError(f"{pg_dump} là phiên bản {client}, máy chủ PostgreSQL là {server}: "
                          f"cần pg_dump {server} trở lên")
    revision = revision_of(engine)
    if revision is None:
        raise BackupError("Cơ sở dữ liệu chưa có lược đồ (chạy motcua db upgrade)")
    uri, env = _libpq(engine.url)
    _run([pg_dump, "--format=custom", "--file", str(dest), "--dbname", uri], env, "pg_dump")
    if revision_of(engine) != revision:
        raise BackupError("Lược đồ cơ sở dữ liệu vừa được nâng cấp trong khi sao lưu: "
                          "sao lưu lại")
    return revision, client


def check_postgres_copy(copy: Path, dumped_by: int) -> set[str]:
    """pg_restore reads the staged dump's table of contents, before the database is
    touched (a dump by a newer pg_dump may be unreadable to an older pg_restore): the
    tables it holds."""
    pg_restore = _tool("pg_restore")
    version = tool_major(pg_restore)
    if version < dumped_by:
        raise BackupError(f"Bản sao được tạo bởi pg_dump {dumped_by}; {pg_restore} là phiên "
                          f"bản {version}: cần pg_restore {dumped_by} trở lên")
    listing = _run([pg_restore, "--list", str(copy)], dict(os.environ), "pg_restore --list")
    # "215; 1259 16390 TABLE public agency postgres"
    return set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, re.MULTILINE))


def table_names(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(inspect(connection).get_table_names())


def restore_postgres(copy: Path, engine: Engine) -> None:
    """``pg_restore --single-transaction --clean --if-exists``: all or nothing. Objects are
    dropped and created again (DROP is not one of the history's refused statements) and its
    triggers come back with the schema, after the rows."""
    with engine.connect() as connection:
        others = connection.execute(text(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar_one()
    if others:
        # pg_restore would wait for their locks without end (it sets lock_timeout to 0).
        raise BackupError(f"{others} kết nối khác đang mở cơ sở dữ liệu: dừng motcua serve và "
                          "motcua worker trước khi khôi phục")
    uri, env = _libpq(engine.url)
    _run([_tool("pg_restore"), "--single-transaction", "--clean", "--if-exists", "--no-owner",
          "--no-privileges", "--exit-on-error", "--dbname", uri, str(copy)], env, "pg_restore")


def revision_of(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        value = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return None if value is None else str(value)


def holds_rows(engine: Engine) -> list[str]:
    """The tables that hold rows (those the migrations fill themselves aside)."""
    with engine.connect() as connection:
        names = sorted(set(inspect(connection).get_table_names()) - SCHEMA_ONLY)
        return [name for name in names if connection.execute(
            select(exists().select_from(table(name)))).scalar()]


def missing_triggers(engine: Engine) -> set[str]:
    """The history's append-only triggers absent from the database."""
    dialect = engine.dialect.name
    query = ("SELECT name FROM sqlite_master WHERE type = 'trigger'" if dialect == "sqlite"
             else "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
    with engine.connect() as connection:
        present = set(connection.execute(text(query)).scalars())
    return TRIGGERS[dialect] - present
