"""`ccpulse.run.run_sources`: vendors in parallel, a refused credential stops only its vendor."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from dlt.extract.exceptions import ResourceExtractionError
from dlt.pipeline.exceptions import PipelineStepFailed

from ccpulse.run import configured_vendors, find_source_error, run_sources
from ccpulse.warehouse import Warehouse
from connectors.http import SourceAuthError, SourceError
from sandbox import credentials
from tests.connectors.harness import WORLD_START, new_world, sandbox_for, secrets_of
from tests.connectors.sandbox_mount import Sandbox, mounted


def _options(sandbox: Sandbox, *vendors: str) -> dict[str, dict[str, Any]]:
    found = {}
    for name in vendors:
        prefix = name.replace("_", "-")
        values: dict[str, Any] = dict(credentials(80)[prefix])
        values.update(base_url=sandbox.base_url(prefix), start_date=WORLD_START)
        found[name] = values
    return found


def test_a_refused_credential_stops_only_its_vendor(
    embedded_warehouse: Warehouse,
    unique_name: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sandbox = sandbox_for(new_world())
    options = _options(sandbox, "genesys", "intercom", "zendesk_qa")
    options["intercom"]["access_token"] = "not-the-token-42"

    with mounted(sandbox), caplog.at_level(logging.INFO, logger="ccpulse.run"):
        summaries = run_sources(
            ["telephony", "intercom", "zendesk-qa"],
            pipelines_dir=tmp_path,
            pipeline_prefix=unique_name,
            dataset_prefix=unique_name,
            source_options=options,
            http=sandbox.http(),
        )

    by_vendor = {summary.source: summary for summary in summaries}
    assert list(by_vendor) == ["genesys", "intercom", "zendesk_qa"]
    assert by_vendor["genesys"].ok
    assert by_vendor["genesys"].records > 0
    assert by_vendor["genesys"].requests > 0
    assert by_vendor["zendesk_qa"].ok
    failed = by_vendor["intercom"]
    assert not failed.ok
    assert failed.records == 0
    assert "`sources.intercom.access_token`" in str(failed.error)
    assert "not-the-token-42" not in str(failed.error)
    lines = [r.getMessage() for r in caplog.records if r.name == "ccpulse.run"]
    assert len(lines) == 3
    assert all(" records, " in line and " requests, " in line for line in lines)
    assert not [secret for secret in secrets_of(sandbox) if secret in caplog.text]


def test_an_unconfigured_vendor_is_reported_with_its_settings(
    embedded_warehouse: Warehouse, tmp_path: Path
) -> None:
    (summary,) = run_sources(["delighted"], pipelines_dir=tmp_path)

    assert not summary.ok
    assert "`sources.delighted.api_key` (env `SOURCES__DELIGHTED__API_KEY`)" in str(summary.error)


def test_configured_vendors_are_those_with_every_required_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SOURCES__DELIGHTED__API_KEY", "some-key-123")
    monkeypatch.setenv("SOURCES__ZENDESK__API_TOKEN", "some-token-123")

    assert "delighted" in configured_vendors()
    assert "zendesk" not in configured_vendors()


def test_an_unknown_vendor_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"genesys \(telephony\)"):
        run_sources(["pagerduty"])


def _wrapped(error: Exception) -> Exception:
    try:
        try:
            raise error
        except SourceError as exc:
            raise ResourceExtractionError("conversations", None, "failed", "extract") from exc
    except ResourceExtractionError as outer:
        return outer


@pytest.mark.parametrize(
    "error",
    [
        SourceAuthError("refused", vendor="intercom", status_code=401, settings=["access_token"]),
        SourceError("vendor down", vendor="intercom"),
    ],
    ids=["auth", "transient"],
)
def test_the_source_error_is_found_inside_dlt_wrappers(error: SourceError) -> None:
    inner = _wrapped(error)
    outer = PipelineStepFailed.__new__(PipelineStepFailed)
    outer.exception = inner

    assert find_source_error(outer) is error
    assert find_source_error(RuntimeError("no source error")) is None
