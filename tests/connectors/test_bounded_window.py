"""Bounded re-extraction (`end_date`) of every vendor against the sandbox.

A backfill re-reads history one window at a time through a pipeline of its own. For each
vendor: a bounded run loads exactly the records whose change cursor lies in the window (and the
full listings whole), leaves a regular pipeline's cursors where they were, stops paging at the
end of an early window, and refuses a window that ends before it starts or has no start.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import dlt
import pytest

from ccpulse.destination import RAW_DATABASE
from ccpulse.warehouse import Warehouse
from connectors.common import (
    QUARANTINE_TABLE,
    HttpOptions,
    epoch_s,
    parse_instant,
)
from connectors.http import VendorRegistry, VendorStats
from connectors.ticketing.zendesk import zendesk_source
from tests.connectors.harness import (
    VendorCase,
    make_pipeline,
    new_world,
    run,
    sandbox_for,
    settings,
    table_content,
    table_names,
)
from tests.connectors.sandbox_mount import Sandbox, mounted
from tests.connectors.spec_examples import ROOT, pipeline, serving
from tests.connectors.test_assembled import CASE as ASSEMBLED
from tests.connectors.test_bamboohr import CASE as BAMBOOHR
from tests.connectors.test_delighted import CASE as DELIGHTED
from tests.connectors.test_genesys import CASE as GENESYS
from tests.connectors.test_hubspot import CASE as HUBSPOT
from tests.connectors.test_intercom import CASE as INTERCOM
from tests.connectors.test_zendesk import CASE as ZENDESK
from tests.connectors.test_zendesk_qa import CASE as ZENDESK_QA

# The sandbox world of `new_world()` runs four days from 2026-01-05; its clock stands at the
# end of the fourth.
MIDDLE_DAY = ("2026-01-07T00:00:00Z", "2026-01-08T00:00:00Z")
EARLY_DAY = ("2026-01-05T00:00:00Z", "2026-01-06T00:00:00Z")


@dataclass(frozen=True)
class WindowCase:
    """A vendor, how its windowed tables are selected, and what its paging can show."""

    vendor: VendorCase
    # a table whose records come with their parent's: child -> (link column, parent table)
    children: dict[str, tuple[str, str]] = field(default_factory=dict)
    window: tuple[str, str] = MIDDLE_DAY
    # the resources whose reading stops at the end of a window, and a centre busy enough that
    # reading them to now takes more requests than the early day alone
    paged: tuple[str, ...] = ()
    busy_contacts_per_day: int = 16

    def __str__(self) -> str:
        return self.vendor.name

    @property
    def windowed_tables(self) -> dict[str, tuple[tuple[str, ...], str]]:
        """Table -> (primary key, change cursor) of the tables selected by their own cursor."""
        return {
            table: (keys, cursor)
            for table, (keys, cursor) in self.vendor.tables.items()
            if cursor is not None and table not in self.children
        }

    @property
    def listing_tables(self) -> list[str]:
        return [table for table, (_, cursor) in self.vendor.tables.items() if cursor is None]


CASES = [
    # one analytics query per day of the window
    WindowCase(GENESYS, paged=("conversations", "user_presence")),
    WindowCase(
        INTERCOM,
        children={"conversation_parts": ("conversation_id", "conversations")},
        # the search and one retrieval per conversation changed in the window
        paged=("conversation_parts",),
    ),
    WindowCase(
        ZENDESK,
        children={"ticket_metric_sets": ("ticket_id", "tickets")},
        # more than the 1,000 ticket events of one export page after the early day; the ticket
        # export's own stop has a test of its own (here it would take 1,000 tickets a page)
        paged=("ticket_events", "satisfaction_ratings"),
        busy_contacts_per_day=1000,
    ),
    WindowCase(DELIGHTED, paged=("survey_responses",), busy_contacts_per_day=300),
    # contacts and companies were created over two years: the early day holds few of them
    WindowCase(HUBSPOT, paged=("contacts", "companies")),
    # employees change around their hire and leave, years before the simulated days; the feed
    # comes in one answer without paging, so an early window cannot save a request
    WindowCase(BAMBOOHR, window=("2024-06-01T00:00:00Z", "2024-09-01T00:00:00Z")),
    # activities are read from a schedule range as long for a day as for the whole world
    WindowCase(ASSEMBLED, paged=("agent_states",), busy_contacts_per_day=300),
    # QA reviews are rare: more than one page of reviewed conversations takes a busy centre
    WindowCase(ZENDESK_QA, paged=("reviews",), busy_contacts_per_day=4000),
]
PAGED = [case for case in CASES if case.paged]


def bounded_run(
    case: VendorCase, sandbox: Sandbox, target: dlt.Pipeline, window: tuple[str, str]
) -> dict[str, int]:
    """One run of the vendor's source over [start, end) into `target`: rows by table."""
    with mounted(sandbox):
        target.run(case.source(http=sandbox.http(), **_window_settings(case, sandbox, window)))
    normalize = target.last_trace.last_normalize_info
    return dict(normalize.row_counts) if normalize else {}


def _window_settings(
    case: VendorCase, sandbox: Sandbox, window: tuple[str, str] | None
) -> dict[str, Any]:
    values = settings(case, sandbox)
    if window is not None:
        values.update(start_date=window[0], end_date=window[1])
    return values


def _columns(wh: Warehouse, dataset: str, table: str) -> list[str]:
    rows = wh.rows(
        f"SELECT name FROM system.columns WHERE database = '{RAW_DATABASE}' "
        f"AND table = '{dataset}___{table}' AND NOT startsWith(name, '_dlt')"
    )
    return [name for (name,) in rows]


def _rows(wh: Warehouse, dataset: str, table: str, columns: list[str]) -> list[dict[str, str]]:
    """Rows of a raw table as text, by column; none where the run created no such table."""
    if table not in table_names(wh, dataset):
        return []
    selected = ", ".join(f"toString(`{column}`)" for column in columns)
    found = wh.rows(f"SELECT {selected} FROM {RAW_DATABASE}.`{dataset}___{table}`")
    return sorted((dict(zip(columns, row, strict=True)) for row in found), key=repr)


def _instant(text: str) -> datetime:
    """A cursor read back as text: Unix seconds, or a time the warehouse holds in UTC."""
    return parse_instant(int(text) if text.isdigit() else text.replace(" ", "T"))


def _shared_columns(
    wh: Warehouse, datasets: tuple[str, str], table: str, needed: tuple[str, ...]
) -> list[str]:
    """Columns both loads have (a column all null in the window is never created)."""
    everything, window = datasets
    columns = _columns(wh, everything, table)
    if table in table_names(wh, window):
        columns = [column for column in columns if column in _columns(wh, window, table)]
    assert set(needed) <= set(columns), f"`{table}` lacks {set(needed) - set(columns)}"
    return columns


def assert_window_selected(
    wh: Warehouse, case: WindowCase, everything: str, window: str
) -> tuple[int, int]:
    """Each windowed table of `window` is the rows of `everything` changed in the window.

    Returns (rows in the window, rows in all) over the windowed tables.
    """
    start, end = (parse_instant(moment) for moment in case.window)
    selected = total = 0
    for table, (keys, cursor) in case.windowed_tables.items():
        columns = _shared_columns(wh, (everything, window), table, (*keys, cursor))
        every_row = _rows(wh, everything, table, columns)
        expected = [row for row in every_row if start <= _instant(row[cursor]) < end]
        assert _rows(wh, window, table, columns) == expected, f"`{table}` of the window"
        selected, total = selected + len(expected), total + len(every_row)

    for child, (link, parent) in case.children.items():
        parent_keys, _ = case.vendor.tables[parent]
        loaded = {row[parent_keys[0]] for row in _rows(wh, window, parent, list(parent_keys))}
        columns = _shared_columns(wh, (everything, window), child, (link,))
        expected = [row for row in _rows(wh, everything, child, columns) if row[link] in loaded]
        assert _rows(wh, window, child, columns) == expected, f"`{child}` of the window"
    return selected, total


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_bounded_run_loads_exactly_the_records_changed_in_its_window(
    embedded_warehouse: Warehouse, unique_name: str, tmp_path: Path, case: WindowCase
) -> None:
    sandbox = sandbox_for(new_world(case.vendor.contacts_per_day))
    everything, window = f"{unique_name}_all", f"{unique_name}_window"

    run(case.vendor, sandbox, make_pipeline(everything, tmp_path))
    bounded_run(case.vendor, sandbox, make_pipeline(window, tmp_path), case.window)

    selected, total = assert_window_selected(embedded_warehouse, case, everything, window)
    assert 0 < selected < total
    # the lists a vendor gives only whole are read as usual
    for table in case.listing_tables:
        listed = table_content(embedded_warehouse, window, table)
        assert listed, f"`{table}` was not read"
        assert listed == table_content(embedded_warehouse, everything, table), table
    assert QUARANTINE_TABLE not in table_names(embedded_warehouse, window)


def _cursors(state: Any) -> Iterator[tuple[str, Any]]:
    """Every position a source keeps: incremental last values and export cursors."""
    for resource, resource_state in (state.get("resources") or {}).items():
        for path, column in (resource_state.get("incremental") or {}).items():
            yield f"{resource}.{path}", column.get("last_value")
        if "after_cursor" in resource_state:
            yield f"{resource}.after_cursor", resource_state["after_cursor"]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_a_bounded_run_leaves_the_regular_cursors_where_they_were(
    embedded_warehouse: Warehouse, unique_name: str, tmp_path: Path, case: WindowCase
) -> None:
    sandbox = sandbox_for(new_world(case.vendor.contacts_per_day))
    regular = make_pipeline(unique_name, tmp_path)
    run(case.vendor, sandbox, regular)
    before = copy.deepcopy(regular.state["sources"])
    positions = dict(_cursors(before[case.vendor.name]))
    assert [value for value in positions.values() if value is not None], positions

    loaded = bounded_run(case.vendor, sandbox, regular, case.window)

    assert sum(loaded.get(table, 0) for table in case.windowed_tables) > 0
    assert regular.state["sources"] == before


def _requests(
    case: VendorCase,
    sandbox: Sandbox,
    resource: str,
    target: dlt.Pipeline,
    window: tuple[str, str] | None,
) -> int:
    """Requests one resource sends over a window (or to now), retries excluded."""
    before = sandbox.registry.stats().get(case.name, VendorStats(case.name))
    source = case.source(http=sandbox.http(), **_window_settings(case, sandbox, window))
    with mounted(sandbox):
        target.extract(source.with_resources(resource))
    after = sandbox.registry.stats()[case.name]
    return (after.requests - before.requests) - (after.retries - before.retries)


@pytest.mark.parametrize("case", PAGED, ids=str)
def test_a_bounded_run_of_an_early_day_stops_reading_at_its_end(
    unique_name: str, tmp_path: Path, case: WindowCase
) -> None:
    sandbox = sandbox_for(new_world(case.busy_contacts_per_day))
    requests: dict[str, tuple[int, int]] = {}
    for resource in case.paged:
        to_now = make_pipeline(f"{unique_name}_{resource}_all", tmp_path)
        early = make_pipeline(f"{unique_name}_{resource}_early", tmp_path)
        requests[resource] = (
            _requests(case.vendor, sandbox, resource, early, EARLY_DAY),
            _requests(case.vendor, sandbox, resource, to_now, None),
        )

    assert all(0 < early < to_now for early, to_now in requests.values()), requests


def test_the_ticket_export_stops_at_the_first_page_past_the_window(
    embedded_warehouse: Warehouse, unique_name: str, tmp_path: Path
) -> None:
    def ticket(ticket_id: int, updated_at: str) -> dict[str, Any]:
        return {"id": ticket_id, "updated_at": updated_at, "status": "open"}

    first = {
        "tickets": [ticket(1, "2026-01-06T09:00:00Z"), ticket(2, "2026-01-07T00:00:00Z")],
        "metric_sets": [{"id": 11, "ticket_id": 1}, {"id": 12, "ticket_id": 2}],
        "after_cursor": "page-2",
        "end_of_stream": False,
    }
    later = {"tickets": [ticket(3, "2026-01-06T10:00:00Z")], "end_of_stream": True}
    target = pipeline(unique_name, tmp_path)
    with serving() as vendor:
        export = vendor.get(
            f"{ROOT}/api/v2/incremental/tickets/cursor.json",
            response_list=[{"json": first}, {"json": later}],
        )
        source = zendesk_source(
            email="agent@example.com",
            api_token="spec-token-123456",
            base_url=ROOT,
            start_date="2026-01-06T00:00:00Z",
            end_date="2026-01-07T00:00:00Z",
            http=HttpOptions(registry=VendorRegistry()),
        )
        target.run(source.with_resources("tickets"))

    # the second page is never asked for: the first already reached the end of the window
    assert export.call_count == 1
    assert export.last_request.qs["start_time"] == [str(epoch_s(parse_instant("2026-01-06")))]
    tables = {
        table: embedded_warehouse.rows(f"SELECT id FROM {RAW_DATABASE}.`{unique_name}___{table}`")
        for table in ("tickets", "ticket_metric_sets")
    }
    assert tables == {"tickets": [(1,)], "ticket_metric_sets": [(11,)]}
    assert "after_cursor" not in str(target.state.get("sources"))


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize(
    ("start_date", "end_date"),
    [
        ("2026-01-07T00:00:00Z", "2026-01-06T00:00:00Z"),
        ("2026-01-07T00:00:00Z", "2026-01-07T00:00:00Z"),
        (None, "2026-01-07T00:00:00Z"),
    ],
    ids=["end-before-start", "empty", "end-without-start"],
)
def test_a_window_that_cannot_hold_records_is_refused_naming_both_settings(
    case: WindowCase, start_date: str | None, end_date: str
) -> None:
    sandbox = sandbox_for(new_world())
    values = {**settings(case.vendor, sandbox), "start_date": start_date, "end_date": end_date}

    settings_named = f"sources.{case.vendor.name}.end_date.*sources.{case.vendor.name}.start_date"
    with mounted(sandbox), pytest.raises(ValueError, match=settings_named):
        case.vendor.source(http=sandbox.http(), **values)

    assert not sandbox.traffic.requests
