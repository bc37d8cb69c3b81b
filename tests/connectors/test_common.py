"""The shape shared by the connectors: quarantine, paging links, instants, path limits."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests_mock
from dlt.extract.items import DataItemWithMeta

from connectors.common import (
    QUARANTINE_TABLE,
    checked,
    parse_instant,
    relative_link,
)
from connectors.http import RateLimit, RetryPolicy, make_client
from sandbox import FaultConfig
from tests.connectors.harness import make_pipeline, make_source, new_world, sandbox_for
from tests.connectors.sandbox_mount import mounted
from tests.connectors.test_delighted import CASE as DELIGHTED

GOOD = {"id": 1, "updated_at": "2026-01-05T10:00:00Z"}


def _split(items: list[Any]) -> tuple[list[Any], list[Any]]:
    good = [record for item in items if isinstance(item, list) for record in item]
    bad = [item.data for item in items if isinstance(item, DataItemWithMeta)]
    return good, bad


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        ({"updated_at": "2026-01-05T10:00:00Z"}, "no `id`"),
        ({"id": "", "updated_at": "2026-01-05T10:00:00Z"}, "no `id`"),
        ({"id": 2}, "no `updated_at`"),
        ({"id": 3, "updated_at": "not-a-timestamp"}, "`updated_at` is not a time"),
        ("a text", "not an object but str"),
    ],
    ids=["no-key", "empty-key", "no-cursor", "bad-cursor", "not-an-object"],
)
def test_a_bad_record_goes_to_quarantine_whole(record: Any, reason: str) -> None:
    good, bad = _split(list(checked("tickets", [GOOD, record], ["id"], "updated_at")))

    assert good == [GOOD]
    (row,) = bad
    assert row["resource"] == "tickets"
    assert row["reason"].startswith(reason)
    assert str(record if isinstance(record, str) else record.get("id", "")) in row["payload"]


def test_a_listing_drops_a_record_met_before() -> None:
    seen: set[tuple[Any, ...]] = set()
    pages = [[{"id": 1}, {"id": 2}], [{"id": 2}, {"id": 3}]]

    loaded = [list(checked("users", page, ["id"], seen=seen)) for page in pages]

    assert loaded == [[[{"id": 1}, {"id": 2}]], [[{"id": 3}]]]


def test_a_missing_cursor_may_be_allowed() -> None:
    items = list(checked("states", [{"id": 1}], ["id"], "end_time", cursor_required=False))

    assert items == [[{"id": 1}]]


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("https://acme.zendesk.com/api/v2/users.json?page=2", "/api/v2/users.json?page=2"),
        ("https://evil.example/v1/people.json", "/v1/people.json"),
        (None, None),
    ],
    ids=["same-host", "other-host", "none"],
)
def test_paging_links_are_followed_on_our_own_base_url(
    link: str | None, expected: str | None
) -> None:
    assert relative_link(link) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-05T10:00:00Z", datetime(2026, 1, 5, 10, tzinfo=UTC)),
        ("2026-01-05T10:00:00.000000Z", datetime(2026, 1, 5, 10, tzinfo=UTC)),
        ("2026-01-05T10:00:00", datetime(2026, 1, 5, 10, tzinfo=UTC)),
        (1767607200, datetime(2026, 1, 5, 10, tzinfo=UTC)),
    ],
    ids=["iso-z", "iso-micro", "naive", "unix"],
)
def test_instants_are_read_as_utc(value: Any, expected: datetime) -> None:
    assert parse_instant(value) == expected


@pytest.mark.parametrize("kind", ["missing_id", "bad_timestamp"])
def test_malformed_records_from_the_vendor_never_stop_a_run(
    kind: str, unique_name: str, tmp_path: Path
) -> None:
    sandbox = sandbox_for(new_world())
    sandbox.app.faults.configure("delighted", FaultConfig(malformed=1.0, malformed_kinds=(kind,)))
    pipeline = make_pipeline(unique_name, tmp_path)

    with mounted(sandbox):
        pipeline.extract(make_source(DELIGHTED, sandbox))
    pipeline.normalize()

    counts = pipeline.last_trace.last_normalize_info.row_counts
    assert counts["survey_responses"] > 0
    # every page carries one corrupted record; a bad `created_at` is not the cursor, so that
    # record loads as the vendor sent it (the transforms reject it), a missing id cannot
    pages = len(sandbox.traffic.requests)
    assert counts.get(QUARANTINE_TABLE, 0) == (0 if kind == "bad_timestamp" else pages)


def test_a_path_limit_holds_for_every_attempt_retries_included() -> None:
    sandbox = sandbox_for(new_world())
    http = sandbox.http()
    client = make_client(
        "acme",
        "https://acme.test",
        rate_limit=RateLimit.per_second(100),
        path_limits={"/search": RateLimit.per_second(2)},
        clock=http.clock,
        registry=http.registry,
        draw=lambda: 0.0,
        retry=RetryPolicy(backoff_initial_s=0.001),
    )
    with requests_mock.Mocker() as vendor:
        vendor.post(
            "https://acme.test/search",
            [{"status_code": 503}, *[{"json": {}} for _ in range(3)]],
        )
        vendor.get("https://acme.test/list", json={})
        for _ in range(3):
            client.post("/search")
        started = sandbox.clock.monotonic()
        client.get("/list")

    # four attempts at two a second: the third and the fourth each waited for a slot
    assert sandbox.clock.monotonic() == started
    assert started >= 1.0
    assert http.registry.stats()["acme"].requests == 5
