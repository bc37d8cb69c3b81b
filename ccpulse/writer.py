"""One writer at a time: a lease in the warehouse that runs, backfills and repairs take in turn.

Applying a batch, recomputing a day and swapping a partition in are each safe to repeat, but not
to interleave: batch numbers come from `max + 1`, the scratch tables of a recomputation are
shared, and a partition swapped in would drop what a batch wrote to it meanwhile. So every command
that writes the unified model or its aggregates holds the writer lease while it does.

The lease lives in the warehouse itself (`ccpulse.writer_leases`), so it holds across processes and
hosts on a ClickHouse server as well as for the embedded engine. A writer asks by adding its
request; requests are served in the order they were made, and the holder renews its lease from a
background thread. A holder that dies stops renewing and its lease lapses after `LEASE_SECONDS`
(at once for a process of the same host that is gone), so a killed process never blocks the
warehouse for longer than that. Two requests made within the
same instant are ordered by their token, and a request counts as granted only after it has stayed
first for `SETTLE_SECONDS`, longer than an insert takes to become visible.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from ccpulse.errors import CcpulseError
from ccpulse.warehouse import Warehouse

__all__ = ["LEASES", "WriterBusyError", "WriterLease", "writer_lease"]

logger = logging.getLogger(__name__)

LEASES = "`ccpulse`.`writer_leases`"
LEASE_SECONDS = 60.0
SETTLE_SECONDS = 0.3
POLL_SECONDS = 1.0

LEASES_DDL = (
    f"CREATE TABLE IF NOT EXISTS {LEASES} (\n"
    "    token String,\n"
    "    holder String,\n"
    "    host String DEFAULT '',\n"
    "    pid UInt32 DEFAULT 0,\n"
    "    requested_at DateTime64(6, 'UTC'),\n"
    "    granted_at Nullable(DateTime64(6, 'UTC')),\n"
    "    released_at Nullable(DateTime64(6, 'UTC')),\n"
    "    renewed_at DateTime64(6, 'UTC') DEFAULT now64(6)\n"
    ")\n"
    "ENGINE = ReplacingMergeTree(renewed_at)\n"
    "ORDER BY token\n"
    "TTL toDateTime(renewed_at) + INTERVAL 30 DAY"
)


class WriterBusyError(CcpulseError):
    """Another run, backfill or repair holds the writer lease and did not finish in time."""


@dataclass(frozen=True)
class WriterLease:
    """A granted lease: who holds it and since when."""

    token: str
    holder: str
    granted_at: datetime


@contextmanager
def writer_lease(
    warehouse: Warehouse,
    purpose: str,
    wait_seconds: float = 0.0,
    lease_seconds: float = LEASE_SECONDS,
) -> Iterator[WriterLease]:
    """Hold the warehouse's writer lease for the `with` block.

    Waits up to `wait_seconds` for the writers ahead (0: do not wait) and then raises
    `WriterBusyError` naming the holder. `purpose` says what this writer is doing; it is shown to
    the writers that wait for it.
    """
    warehouse.command("CREATE DATABASE IF NOT EXISTS `ccpulse`")
    warehouse.command(LEASES_DDL)
    token = uuid.uuid4().hex
    holder = f"{purpose} (pid {os.getpid()} on {socket.gethostname()})"
    requested_at = _now(warehouse)
    _write(warehouse, token, holder, requested_at)
    renewer = _Renewer(warehouse, token, holder, requested_at, lease_seconds)
    renewer.start()
    try:
        lease = _wait_for_turn(warehouse, token, holder, requested_at, wait_seconds, lease_seconds)
        renewer.granted_at = lease.granted_at
        _write(warehouse, token, holder, requested_at, granted_at=lease.granted_at)
    except BaseException:
        renewer.stop()
        _write(warehouse, token, holder, requested_at, released=True)
        raise
    logger.info("writer lease taken: %s", holder)
    try:
        yield lease
    finally:
        renewer.stop()
        _write(warehouse, token, holder, requested_at, granted_at=lease.granted_at, released=True)
        logger.info("writer lease released: %s", holder)


def _wait_for_turn(
    warehouse: Warehouse,
    token: str,
    holder: str,
    requested_at: datetime,
    wait_seconds: float,
    lease_seconds: float,
) -> WriterLease:
    deadline = time.monotonic() + wait_seconds
    announced = ""
    while True:
        ahead = _queue(warehouse, lease_seconds)
        if ahead and ahead[0][0] == token:
            time.sleep(SETTLE_SECONDS)
            ahead = _queue(warehouse, lease_seconds)
            if ahead and ahead[0][0] == token:
                return WriterLease(token, holder, _now(warehouse))
        first = next((row for row in ahead if row[0] != token), None)
        if first is not None and time.monotonic() >= deadline:
            raise WriterBusyError(
                f"the warehouse is busy: {first[1]} has been writing since {first[2]:%H:%M:%S} "
                "UTC; try again when it ends, or let this command wait for it "
                "(--wait SECONDS)"
            )
        if first is not None and first[1] != announced:
            logger.warning("waiting for the writer ahead: %s", first[1])
            announced = first[1]
        time.sleep(POLL_SECONDS)


def _queue(warehouse: Warehouse, lease_seconds: float) -> list[tuple[str, str, datetime]]:
    """Live requests, first served first: (token, holder, requested or granted at).

    A request of a process on this host that is no longer running is not live: its lease would
    lapse anyway, and a rerun after a crash need not wait for that.
    """
    rows = warehouse.rows(
        "SELECT token, holder, ifNull(granted_at, requested_at), host, pid "
        f"FROM {LEASES} FINAL\n"
        "WHERE released_at IS NULL\n"
        "AND renewed_at > now64(6) - toIntervalMillisecond({lease_ms:UInt64})\n"
        "ORDER BY granted_at IS NULL, requested_at, token",
        {"lease_ms": int(lease_seconds * 1000)},
    )
    here = socket.gethostname()
    return [
        (str(token), str(holder), at)
        for token, holder, at, host, pid in rows
        if host != here or _is_running(int(pid))
    ]


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another user
        return True
    return True


def _now(warehouse: Warehouse) -> datetime:
    value: datetime = warehouse.scalar("SELECT now64(6, 'UTC')")
    return value


def _write(
    warehouse: Warehouse,
    token: str,
    holder: str,
    requested_at: datetime,
    *,
    granted_at: datetime | None = None,
    released: bool = False,
) -> None:
    warehouse.command(
        f"INSERT INTO {LEASES} "
        "(token, holder, host, pid, requested_at, granted_at, released_at) VALUES "
        "({token:String}, {holder:String}, {host:String}, {pid:UInt32}, "
        "{requested:DateTime64(6, 'UTC')}, "
        "{granted:Nullable(DateTime64(6, 'UTC'))}, "
        + ("now64(6, 'UTC'))" if released else "NULL)"),
        parameters={
            "token": token,
            "holder": holder,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "requested": requested_at,
            "granted": granted_at,
        },
    )


class _Renewer(threading.Thread):
    """Renews a lease (requested or granted) until stopped, on a session of its own."""

    def __init__(
        self,
        warehouse: Warehouse,
        token: str,
        holder: str,
        requested_at: datetime,
        lease_seconds: float,
    ) -> None:
        super().__init__(name="writer-lease", daemon=True)
        self._warehouse = warehouse
        self._token = token
        self._holder = holder
        self._requested_at = requested_at
        self._interval = lease_seconds / 4
        self._stopped = threading.Event()
        self.granted_at: datetime | None = None

    def run(self) -> None:
        session = self._warehouse.new_session()
        try:
            while not self._stopped.wait(self._interval):
                try:
                    session.command(
                        f"INSERT INTO {LEASES} "
                        "(token, holder, host, pid, requested_at, granted_at) VALUES "
                        "({token:String}, {holder:String}, {host:String}, {pid:UInt32}, "
                        "{requested:DateTime64(6, 'UTC')}, "
                        "{granted:Nullable(DateTime64(6, 'UTC'))})",
                        parameters={
                            "token": self._token,
                            "holder": self._holder,
                            "host": socket.gethostname(),
                            "pid": os.getpid(),
                            "requested": self._requested_at,
                            "granted": self.granted_at,
                        },
                    )
                except Exception as exc:  # the next renewal may succeed; the lease lasts longer
                    logger.warning("could not renew the writer lease: %s", exc)
        finally:
            session.close()

    def stop(self) -> None:
        self._stopped.set()
        self.join()
