"""Zendesk Support against the sandbox: lifecycle, faults, crash, bad credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccpulse.warehouse import Warehouse
from connectors.ticketing.zendesk import zendesk_source
from sandbox import World
from tests.connectors.harness import (
    VendorCase,
    assert_bad_credential_named,
    assert_same_raw_tables,
    make_pipeline,
    make_source,
    new_world,
    run,
    run_lifecycle,
    sandbox_for,
)
from tests.connectors.sandbox_mount import mounted

CASE = VendorCase(
    name="zendesk",
    prefix="zendesk",
    source=zendesk_source,
    tables={
        "tickets": (("id",), "updated_at"),
        "ticket_metric_sets": (("id",), "updated_at"),
        "ticket_events": (("id",), "timestamp"),
        "satisfaction_ratings": (("id",), "updated_at"),
        "users": (("id",), None),
        "groups": (("id",), None),
    },
    # one page each of the ticket and event exports, of ratings, of groups and of deleted
    # tickets; the user list has no change filter
    second_run_requests=lambda run: 5 + run.pages("users", 100),
)


def test_runs_are_incremental_exact_and_survive_faults_and_a_crash(
    embedded_warehouse: Warehouse,
    unique_name: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    run_lifecycle(CASE, embedded_warehouse, unique_name, tmp_path, caplog)


@pytest.mark.parametrize("setting", ["email", "api_token"])
def test_a_refused_credential_names_the_settings(
    embedded_warehouse: Warehouse, setting: str, tmp_path: Path
) -> None:
    assert_bad_credential_named(CASE, setting, "wrong-credential-42", tmp_path)


def test_a_run_killed_before_its_load_is_completed_by_the_next(
    embedded_warehouse: Warehouse, unique_name: str, tmp_path: Path
) -> None:
    world = new_world()
    sandbox = sandbox_for(world)
    pipeline = make_pipeline(unique_name, tmp_path)
    with mounted(sandbox):
        pipeline.extract(make_source(CASE, sandbox))
        pipeline.normalize()
    assert pipeline.has_pending_data

    world.advance(hours=CASE.advance_hours)
    run(CASE, sandbox, pipeline)
    run(CASE, sandbox, make_pipeline(f"{unique_name}_fresh", tmp_path))

    assert not pipeline.has_pending_data
    assert_same_raw_tables(embedded_warehouse, CASE, unique_name, f"{unique_name}_fresh")


def test_a_deleted_ticket_comes_with_its_deleted_flag_and_in_the_deleted_list(
    unique_name: str, tmp_path: Path
) -> None:
    # seed 1 at 100 contacts a day deletes one ticket as spam within four days
    sandbox = sandbox_for(World(seed=1, days=4, contacts_per_day=100))
    source = make_source(CASE, sandbox).with_resources("tickets", "deleted_tickets")
    # a new pipeline is the active one: its state (no export cursor yet) is the one read
    make_pipeline(unique_name, tmp_path)

    with mounted(sandbox):
        records = [item for item in source if isinstance(item, dict)]

    deleted = {record["id"] for record in records if "deleted_at" in record}
    flagged = {record["id"] for record in records if record.get("status") == "deleted"}
    assert deleted
    assert deleted == flagged
