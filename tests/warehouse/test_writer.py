"""One writer at a time: the writer lease, held in the warehouse itself.

Two writers in threads of this process stand in for two processes: the lease lives in the
warehouse's `ccpulse.writer_leases` table, so the threads meet exactly as processes on a server do.
"""

from __future__ import annotations

import itertools
import socket
import subprocess
import threading
import time
from typing import Any

import pytest

from ccpulse.warehouse import Warehouse
from ccpulse.writer import LEASES, WriterBusyError, writer_lease


def _held_in_thread(warehouse: Warehouse, purpose: str, release: threading.Event) -> Any:
    taken = threading.Event()

    def hold() -> None:
        with writer_lease(warehouse, purpose):
            taken.set()
            release.wait(30)

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert taken.wait(30), "the first writer never got the lease"
    return thread


def test_a_free_lease_is_granted_and_released(embedded_warehouse: Warehouse) -> None:
    with writer_lease(embedded_warehouse, "first run") as lease:
        assert "first run" in lease.holder
    with writer_lease(embedded_warehouse, "second run") as again:
        assert again.token != lease.token


def test_a_writer_that_cannot_wait_is_told_who_holds_the_lease(
    embedded_warehouse: Warehouse,
) -> None:
    release = threading.Event()
    holder = _held_in_thread(embedded_warehouse, "backfill of 2026-01-06", release)
    try:
        with (
            pytest.raises(WriterBusyError, match=r"backfill of 2026-01-06 .*--wait"),
            writer_lease(embedded_warehouse, "regular run", wait_seconds=0),
        ):
            pytest.fail("the lease was granted twice")
    finally:
        release.set()
        holder.join()


def test_a_waiting_writer_starts_after_the_holder_ends(embedded_warehouse: Warehouse) -> None:
    release = threading.Event()
    holder = _held_in_thread(embedded_warehouse, "backfill", release)
    timer = threading.Timer(2.0, release.set)
    timer.start()
    started = time.monotonic()
    with writer_lease(embedded_warehouse, "regular run", wait_seconds=60) as lease:
        waited = time.monotonic() - started
        holder.join(5)
        assert not holder.is_alive(), "the lease was granted while the first writer held it"
    assert waited >= 1.5
    rows = embedded_warehouse.rows(
        f"SELECT holder, granted_at, released_at FROM {LEASES} FINAL "
        "WHERE granted_at IS NOT NULL AND granted_at >= now64(6) - INTERVAL 1 MINUTE "
        "ORDER BY granted_at"
    )
    intervals = [(granted, released) for _, granted, released in rows]
    assert lease.granted_at in [granted for granted, _ in intervals]
    for (_, released), (granted, _) in itertools.pairwise(intervals):
        assert released <= granted, f"two writers overlapped: {rows}"


def test_a_lease_whose_holder_died_lapses(embedded_warehouse: Warehouse) -> None:
    # A holder killed mid-run leaves its lease unreleased and stops renewing it.
    embedded_warehouse.command(
        f"INSERT INTO {LEASES} (token, holder, requested_at, granted_at, renewed_at) VALUES "
        "('dead-writer', 'run (pid 1 on gone)', now64(6) - INTERVAL 10 MINUTE, "
        "now64(6) - INTERVAL 10 MINUTE, now64(6) - INTERVAL 10 MINUTE)"
    )
    with writer_lease(embedded_warehouse, "regular run", wait_seconds=0) as lease:
        assert "regular run" in lease.holder


def test_a_lease_of_a_process_gone_from_this_host_does_not_wait_to_lapse(
    embedded_warehouse: Warehouse,
) -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    embedded_warehouse.command(
        f"INSERT INTO {LEASES} (token, holder, host, pid, requested_at, granted_at) VALUES "
        "('killed-writer', 'backfill (killed)', {host:String}, {pid:UInt32}, now64(6), now64(6))",
        parameters={"host": socket.gethostname(), "pid": gone.pid},
    )
    with writer_lease(embedded_warehouse, "rerun", wait_seconds=0) as lease:
        assert "rerun" in lease.holder
