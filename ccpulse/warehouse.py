"""The one place that opens the warehouse.

ccpulse talks to ClickHouse through clickhouse-connect whether the warehouse is the embedded chDB
engine (in this process, `chdb://` transport) or a server (HTTP). `open_warehouse()` returns the
process-wide `Warehouse` for `CCPULSE_WAREHOUSE`; everything else, the dlt destination included,
borrows sessions from it.

chDB allows one warehouse folder per process and one process per folder, and a second process is
refused by the engine with an unhelpful message. We therefore hold an exclusive lock file inside the
folder for as long as the process runs, and say who holds it when we cannot take it.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import clickhouse_connect
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import (
    ClickHouseError,
    DatabaseError,
    OperationalError,
)
from clickhouse_connect.driver.query import QueryResult

from ccpulse.errors import ConfigurationError, WarehouseError, WarehouseLockedError
from ccpulse.settings import WAREHOUSE_ENV, WarehouseSettings

__all__ = ["Warehouse", "close_warehouse", "open_warehouse"]

logger = logging.getLogger(__name__)

LOCK_FILE_NAME = "ccpulse.lock"
_AUTHENTICATION_FAILED = 516
_UNKNOWN_DATABASE = 81

# Every session's defaults. The aggregates are SummingMergeTree tables, always read through
# sum(), and the current-state tables are read with FINAL, so summing or replacing the rows of
# each inserted block as it is written only repeats what the background merges do anyway; left
# on, it took most of the time of writing an aggregate (2.5x slower recomputations).
SESSION_SETTINGS: dict[str, Any] = {"optimize_on_insert": 0}

_process_lock = threading.Lock()
_open: dict[WarehouseSettings, Warehouse] = {}


class Warehouse:
    """A ClickHouse warehouse, embedded or server, behind one client API."""

    def __init__(self, settings: WarehouseSettings, lock_file: IO[str] | None = None) -> None:
        self.settings = settings
        self._lock_file = lock_file
        self._client = self.new_session()

    @property
    def is_embedded(self) -> bool:
        return self.settings.kind == "chdb"

    def new_session(self, database: str | None = None) -> Client:
        """Open a client session of its own (settings and current database are per session)."""
        try:
            return _create_client(self.settings, database)
        except ClickHouseError as exc:
            raise _explain_connection_error(self.settings, exc) from None

    def query(
        self,
        sql: str,
        parameters: dict[str, Any] | Sequence[Any] | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> QueryResult:
        """Run a query and return its result (rows in `.result_rows`)."""
        try:
            return self._client.query(sql, parameters=parameters, settings=dict(settings or {}))
        except ClickHouseError as exc:
            raise WarehouseError(_statement_error(exc, sql)) from exc

    def rows(
        self,
        sql: str,
        parameters: dict[str, Any] | Sequence[Any] | None = None,
    ) -> list[tuple[Any, ...]]:
        """Run a query and return its rows as tuples."""
        return [tuple(row) for row in self.query(sql, parameters).result_rows]

    def scalar(self, sql: str, parameters: dict[str, Any] | None = None) -> Any:
        """Run a query that returns one value."""
        rows = self.rows(sql, parameters)
        return rows[0][0] if rows else None

    def command(
        self,
        sql: str,
        parameters: dict[str, Any] | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        """Run a statement that returns nothing worth reading (DDL, INSERT ... SELECT)."""
        try:
            self._client.command(sql, parameters=parameters, settings=dict(settings or {}))
        except ClickHouseError as exc:
            raise WarehouseError(_statement_error(exc, sql)) from exc

    def insert_arrow(
        self, database: str, table: str, data: Any, settings: Mapping[str, Any] | None = None
    ) -> None:
        """Insert a pyarrow table into `database`.`table`, matching columns by name."""
        try:
            self._client.insert_arrow(table, data, database=database, settings=dict(settings or {}))
        except ClickHouseError as exc:
            raise WarehouseError(_statement_error(exc, f"INSERT INTO {database}.{table}")) from exc

    def close(self) -> None:
        self._client.close()
        if self._lock_file is not None:
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()
            self._lock_file = None


def open_warehouse(settings: WarehouseSettings | None = None) -> Warehouse:
    """Return this process's warehouse for `settings` (default: `CCPULSE_WAREHOUSE`).

    Warehouses are opened once and shared. The embedded engine holds only one folder per process,
    so asking for a second folder while one is open is refused with a clear message rather than
    left to chDB.
    """
    settings = settings or WarehouseSettings.from_env()
    with _process_lock:
        if settings in _open:
            return _open[settings]
        embedded = [w for w in _open.values() if w.is_embedded]
        if settings.kind == "chdb" and embedded:
            raise WarehouseError(
                f"this process already has the embedded warehouse `{embedded[0].settings.path}` "
                f"open and chDB allows one folder per process; cannot also open "
                f"`{settings.path}`"
            )
        warehouse = _open[settings] = _open_new(settings)
        logger.info("opened warehouse %s", settings.redacted_url)
        return warehouse


def close_warehouse() -> None:
    """Close every warehouse this process opened, releasing the embedded folder's lock."""
    with _process_lock:
        while _open:
            _, warehouse = _open.popitem()
            warehouse.close()


def _open_new(settings: WarehouseSettings) -> Warehouse:
    if settings.kind == "clickhouse":
        return Warehouse(settings)
    assert settings.path is not None
    lock_file = _lock_folder(settings.path)
    try:
        return Warehouse(settings, lock_file)
    except BaseException:
        fcntl.flock(lock_file, fcntl.LOCK_UN)
        lock_file.close()
        raise


def _lock_folder(path: Path) -> IO[str]:
    """Take the exclusive lock of an embedded warehouse folder, or say who holds it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        lock_file = (path / LOCK_FILE_NAME).open("a+", encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(
            f"cannot create the embedded warehouse folder `{path}` ({exc.strerror}); "
            f"set {WAREHOUSE_ENV} to a writable folder, e.g. chdb:///tmp/ccpulse"
        ) from None
    try:
        fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock_file.seek(0)
        holder = lock_file.read().strip() or "another process"
        lock_file.close()
        raise WarehouseLockedError(
            f"the embedded warehouse `{path}` is in use by {holder}; chDB lets one process "
            f"open a warehouse folder at a time: wait for it to finish, or set {WAREHOUSE_ENV} "
            "to a ClickHouse server to share the warehouse between processes"
        ) from None
    lock_file.seek(0)
    lock_file.truncate()
    lock_file.write(f"process {os.getpid()}\n")
    lock_file.flush()
    return lock_file


def _create_client(settings: WarehouseSettings, database: str | None) -> Client:
    if settings.kind == "chdb":
        return clickhouse_connect.get_client(
            interface="chdb",
            path=str(settings.path),
            database=database or settings.database,
            settings=SESSION_SETTINGS,
        )
    return clickhouse_connect.get_client(
        host=settings.host,
        port=settings.port,
        username=settings.username,
        password=settings.password,
        database=database or settings.database,
        secure=settings.secure,
        connect_timeout=10,
        send_receive_timeout=600,
        settings=SESSION_SETTINGS,
    )


def _explain_connection_error(settings: WarehouseSettings, exc: ClickHouseError) -> WarehouseError:
    """Turn a failed connection into one line naming the setting, never the password."""
    where = settings.redacted_url
    code = getattr(exc, "code", None)
    if code == _AUTHENTICATION_FAILED:
        return WarehouseError(
            f"ClickHouse at {where} refused user `{settings.username}`: check the user name and "
            f"password in {WAREHOUSE_ENV}"
        )
    if code == _UNKNOWN_DATABASE:
        return WarehouseError(
            f"ClickHouse at {where} has no database `{settings.database}`: create it or fix the "
            f"database in {WAREHOUSE_ENV}"
        )
    if isinstance(exc, OperationalError):
        return WarehouseError(
            f"cannot reach ClickHouse at {where}: check the host and port in {WAREHOUSE_ENV} "
            "and that the server is running (`make up` starts one)"
        )
    detail = _first_line(str(exc), settings.password)
    return WarehouseError(f"cannot open the warehouse {where} ({WAREHOUSE_ENV}): {detail}")


def _statement_error(exc: ClickHouseError, sql: str) -> str:
    statement = " ".join(sql.split())[:200]
    reason = _first_line(str(exc), "")
    if isinstance(exc, DatabaseError):
        return f"the warehouse rejected `{statement}`: {reason}"
    return f"the warehouse failed on `{statement}`: {reason}"


def _first_line(message: str, secret: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    line = lines[0] if lines else message
    return line.replace(secret, "***") if secret else line
