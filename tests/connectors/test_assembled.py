"""Assembled against the sandbox: lifecycle, faults, crash, bad credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccpulse.warehouse import Warehouse
from connectors.wfm.assembled import assembled_source
from tests.connectors.harness import VendorCase, assert_bad_credential_named, run_lifecycle

CASE = VendorCase(
    name="assembled",
    prefix="assembled",
    source=assembled_source,
    tables={
        "agents": (("id",), None),
        "activity_types": (("id",), None),
        "activities": (("id",), "updated_at"),
        "agent_states": (("id",), "end_time"),
    },
    # agents, activity types, one range of activities, one range of states
    second_run_requests=4,
)


def test_runs_are_incremental_exact_and_survive_faults_and_a_crash(
    embedded_warehouse: Warehouse,
    unique_name: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    run_lifecycle(CASE, embedded_warehouse, unique_name, tmp_path, caplog)


def test_a_refused_credential_names_the_setting(
    embedded_warehouse: Warehouse, tmp_path: Path
) -> None:
    assert_bad_credential_named(CASE, "api_key", "wrong-credential-42", tmp_path)
