"""The history table is append-only: database triggers (migration ``c3a7e1f09b52``) refuse
UPDATE, DELETE and TRUNCATE of ``history_event`` unless the transaction opened a maintenance
session. Only ``motcua restore`` and the test fixtures open one; a database superuser can
still drop the triggers, which is why the audit signs the chain heads daily.

- PostgreSQL: the transaction-local setting ``motcua.maintenance`` is ``on``.
- SQLite: the SQL function ``motcua_maintenance()``, registered on each connection the
  application opens, answers 1. A connection opened by anything else has no such function,
  so its writes to the history fail too."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

_SQLITE_FLAGS: dict[int, list[bool]] = {}


def register_sqlite_function(dbapi_connection: Any) -> None:
    """Called on every new SQLite connection: the trigger's question, answered per connection."""
    flag = [False]
    _SQLITE_FLAGS[id(dbapi_connection)] = flag
    dbapi_connection.create_function("motcua_maintenance", 0, lambda: int(flag[0]))


@contextmanager
def maintenance_session(connection: Connection) -> Iterator[None]:
    """Lift the history's append-only triggers on this connection's current transaction."""
    if connection.dialect.name == "postgresql":
        # Transaction-local: it also ends with a commit or a rollback inside the block.
        connection.execute(text("SELECT set_config('motcua.maintenance', 'on', true)"))
        try:
            yield
        finally:
            # Also when the block raised: a caller that catches the error and goes on in the
            # same transaction must not keep the history writable.
            from psycopg.pq import TransactionStatus

            # A transaction a failed statement aborted keeps nothing, the setting included.
            driver: Any = connection.connection.driver_connection
            status = driver.info.transaction_status
            if status is not TransactionStatus.INERROR:
                connection.execute(
                    text("SELECT set_config('motcua.maintenance', 'off', true)"))
        return
    flag = _SQLITE_FLAGS[id(connection.connection.driver_connection)]
    flag[0] = True
    try:
        yield
    finally:
        flag[0] = False
