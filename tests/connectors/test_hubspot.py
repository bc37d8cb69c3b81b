"""HubSpot CRM against the sandbox: lifecycle, faults, crash, bad credentials."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests_mock

from ccpulse.warehouse import Warehouse
from connectors.common import HttpOptions
from connectors.crm.hubspot import hubspot_source
from connectors.http import VendorRegistry
from tests.connectors.harness import (
    EVERYTHING,
    VendorCase,
    assert_bad_credential_named,
    run_lifecycle,
)
from tests.connectors.spec_examples import pipeline, serving

CASE = VendorCase(
    name="hubspot",
    prefix="hubspot",
    source=hubspot_source,
    tables={
        "contacts": (("id",), "updated_at"),
        "companies": (("id",), "updated_at"),
        "deals": (("id",), "updated_at"),
        "cost_items": (("id",), "updated_at"),
    },
    # per object type: its property list, one search page, one page of archived records
    second_run_requests=12,
    start_date=EVERYTHING,
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
    assert_bad_credential_named(CASE, "access_token", "wrong-credential-42", tmp_path)


def _deal(archived: bool) -> dict[str, Any]:
    deal = {
        "id": "301",
        "properties": {"dealname": "Subscription", "amount": "99.00"},
        "createdAt": "2026-01-05T10:00:00.000Z",
        "updatedAt": "2026-01-07T10:00:00.000Z" if archived else "2026-01-05T10:00:00.000Z",
        "archived": archived,
    }
    return {**deal, "archivedAt": deal["updatedAt"]} if archived else deal


def test_an_archived_record_is_merged_over_its_live_version(
    embedded_warehouse: Warehouse, unique_name: str, tmp_path: Path
) -> None:
    root = "http://hubspot.test"
    target = pipeline(unique_name, tmp_path)
    for archived in (False, True):
        live = [] if archived else [_deal(archived=False)]
        gone = [_deal(archived=True)] if archived else []
        with serving() as vendor:
            vendor.get(requests_mock.ANY, status_code=404, json={"message": "no properties"})
            vendor.post(requests_mock.ANY, json={"total": 0, "results": []})
            vendor.post(re.compile(r".*/objects/deals/search"), json={"results": live})
            vendor.get(re.compile(r".*/objects/deals\?"), json={"results": gone})
            vendor.get(re.compile(r".*/objects/(contacts|companies|p_cost_items)\?"), json={})
            source = hubspot_source(
                access_token="pat-spec-123456",
                base_url=root,
                start_date=EVERYTHING,
                http=HttpOptions(registry=VendorRegistry()),
            )
            target.run(source)

    rows = embedded_warehouse.rows(f"SELECT id, archived FROM raw.`{unique_name}___deals`")
    assert rows == [("301", True)]
