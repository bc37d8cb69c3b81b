"""BambooHR against the sandbox and the API description: lifecycle, deletes, bad credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccpulse.warehouse import Warehouse
from connectors.common import HttpOptions
from connectors.hris.bamboohr import DEFAULT_CUSTOM_FIELDS, REPORT_FIELDS, bamboohr_source
from connectors.http import VendorRegistry
from tests.connectors.harness import (
    EVERYTHING,
    VendorCase,
    assert_bad_credential_named,
    run_lifecycle,
)
from tests.connectors.spec_examples import (
    ROOT,
    SAMPLE_TIME,
    answer_schema,
    assert_loaded_whole,
    from_schema,
    pipeline,
    serving,
)

CASE = VendorCase(
    name="bamboohr",
    prefix="bamboohr",
    source=bamboohr_source,
    tables={
        "employee_changes": (("id",), "last_changed"),
        "employees": (("id",), "last_changed"),
    },
    # the change feed only: its one change is a deleted duplicate, which needs no report
    second_run_requests=1,
    start_date=EVERYTHING,
    crash_after_requests=1,
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


def test_answers_shaped_by_the_api_description_load_whole(
    embedded_warehouse: Warehouse, unique_name: str, tmp_path: Path
) -> None:
    spec = "bamboohr.yaml"
    changed = from_schema(spec, answer_schema(spec, "/api/v1/employees/changed", "get"))
    report = from_schema(spec, answer_schema(spec, "/api/v1/reports/custom", "post"))
    # the schema: "an `id` property plus one key per requested field", all strings
    fields = {name: f"{name} value" for name in (*REPORT_FIELDS, *DEFAULT_CUSTOM_FIELDS)}
    report["employees"] = [
        {**item, **fields, "lastChanged": SAMPLE_TIME} for item in report["employees"]
    ]
    with serving() as vendor:
        vendor.get(f"{ROOT}/api/v1/employees/changed", json=changed)
        vendor.post(f"{ROOT}/api/v1/reports/custom", json=report)
        source = bamboohr_source(
            api_key="spec-key-123456",
            base_url=ROOT,
            start_date=EVERYTHING,
            http=HttpOptions(registry=VendorRegistry()),
        )
        pipeline(unique_name, tmp_path).run(source)

    wh = embedded_warehouse
    changes = list(changed["employees"].values())
    assert_loaded_whole(wh, unique_name, "employee_changes", "id", changes)
    assert_loaded_whole(wh, unique_name, "employees", "id", report["employees"])


def test_a_deleted_employee_leaves_the_employees_table(
    embedded_warehouse: Warehouse, unique_name: str, tmp_path: Path
) -> None:
    def changes(*rows: tuple[str, str, str]) -> dict[str, object]:
        found = {key: {"id": key, "action": action, "lastChanged": at} for key, action, at in rows}
        return {"latest": max(at for _, _, at in rows), "employees": found}

    def report(*keys: str) -> dict[str, object]:
        rows = [
            {"id": key, "workEmail": f"{key}@example.com", "lastChanged": SAMPLE_TIME}
            for key in keys
        ]
        return {"title": "ccpulse employees", "fields": [], "employees": rows}

    answers = [
        (changes(("1", "Inserted", SAMPLE_TIME), ("2", "Inserted", SAMPLE_TIME)), report("1", "2")),
        (changes(("2", "Deleted", "2026-01-07T10:00:00Z")), report()),
    ]
    target = pipeline(unique_name, tmp_path)
    for changed, rows in answers:
        with serving() as vendor:
            vendor.get(f"{ROOT}/api/v1/employees/changed", json=changed)
            vendor.post(f"{ROOT}/api/v1/reports/custom", json=rows)
            target.run(
                bamboohr_source(
                    api_key="spec-key-123456",
                    base_url=ROOT,
                    start_date=EVERYTHING,
                    http=HttpOptions(registry=VendorRegistry()),
                )
            )

    table = f"raw.`{unique_name}___employees`"
    assert embedded_warehouse.rows(f"SELECT id, work_email FROM {table}") == [
        ("1", "1@example.com")
    ]
