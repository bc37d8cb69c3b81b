"""Delighted against the sandbox: lifecycle, faults, crash, bad credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccpulse.warehouse import Warehouse
from connectors.survey.delighted import delighted_source
from tests.connectors.harness import VendorCase, assert_bad_credential_named, run_lifecycle

CASE = VendorCase(
    name="delighted",
    prefix="delighted",
    source=delighted_source,
    tables={
        "survey_responses": (("id",), "updated_at"),
        "people": (("id",), None),
    },
    # one page of changed responses; the people list has no change filter
    second_run_requests=lambda run: 1 + run.pages("people", 100),
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
