"""What every vendor's tests share: its case, its source on the mounted sandbox, raw-table reads.

A `VendorCase` says how to build a vendor's source against the sandbox and what its raw tables
are keyed on. `run_lifecycle()` is the test every vendor passes: a first run killed halfway and
restarted under injected faults, a second run after the clock moved, and a comparison with a
fresh load of the same moment.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dlt
import pytest
from dlt.extract.source import DltSource
from dlt.pipeline.exceptions import PipelineStepFailed

from ccpulse.destination import RAW_DATABASE, warehouse
from ccpulse.run import find_source_error
from ccpulse.warehouse import Warehouse
from connectors.common import QUARANTINE_TABLE
from connectors.http import SourceAuthError, VendorStats, install_log_masking
from sandbox import FaultConfig, World, credentials
from sandbox.vendors.genesys import Genesys
from tests.connectors.sandbox_mount import Sandbox, SandboxClock, mounted

# Every fault the sandbox can inject, except malformed records (tested on their own): often
# enough that a run meets each of them several times.
FAULTS = FaultConfig(
    rate_limit_burst=0.04,
    burst_length=2,
    server_error=0.06,
    timeout=0.04,
    duplicate=0.3,
    out_of_order=0.3,
)
# Besides, the first requests of a run meet one of each for sure, whatever the sandbox drew.
SCRIPTED_FAULTS: dict[int, int | str] = {1: 429, 2: 503, 3: "timeout", 5: 502}
WORLD_START = "2026-01-05T00:00:00Z"
EVERYTHING = "2000-01-01T00:00:00Z"


@dataclass
class RunResult:
    requests: int
    rows_by_table: dict[str, int]

    def rows_of(self, tables: Collection[str]) -> int:
        return sum(self.rows_by_table.get(table, 0) for table in tables)

    @property
    def rows(self) -> int:
        return sum(rows for table, rows in self.rows_by_table.items() if table != QUARANTINE_TABLE)

    def pages(self, table: str, page_size: int) -> int:
        """Requests a full listing of `table` took."""
        return max(1, -(-self.rows_by_table.get(table, 0) // page_size))


@dataclass(frozen=True)
class VendorCase:
    """How one vendor is run against the sandbox and what its raw tables are keyed on."""

    name: str
    prefix: str
    source: Callable[..., DltSource]
    # table -> primary key columns (the exactly-once check) and version column (updates)
    tables: dict[str, tuple[tuple[str, ...], str | None]]
    # requests of the second run: a number, or worked out from what that run loaded
    second_run_requests: int | Callable[[RunResult], int]
    start_date: str = WORLD_START
    advance_hours: float = 30.0
    crash_after_requests: int = 3
    faults: FaultConfig = field(default_factory=lambda: FAULTS)
    # QA reviews are rare: a busier centre gives enough of them
    contacts_per_day: int = 16
    options: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.name

    @property
    def incremental_tables(self) -> list[str]:
        """Tables read by change cursor (the others are full listings, read every run)."""
        return [table for table, (_, version) in self.tables.items() if version is not None]


def new_world(contacts_per_day: int = 16) -> World:
    return World(seed=11, days=4, contacts_per_day=contacts_per_day)


def sandbox_for(world: World) -> Sandbox:
    return Sandbox(world, SandboxClock(world))


def settings(case: VendorCase, sandbox: Sandbox) -> dict[str, Any]:
    """The sandbox's credentials for the vendor, as source arguments."""
    values: dict[str, Any] = dict(credentials(80)[case.prefix])
    values["base_url"] = sandbox.base_url(case.prefix)
    return {**values, "start_date": case.start_date, **case.options}


def secrets_of(sandbox: Sandbox) -> list[str]:
    """Every credential the sandbox accepts or hands out, for the leak checks."""
    found = [
        value
        for values in credentials(80).values()
        for name, value in values.items()
        if name not in ("base_url", "subdomain", "company_domain", "email")
    ]
    return [*found, Genesys(sandbox.world).token_value()]


def make_source(case: VendorCase, sandbox: Sandbox, **overrides: Any) -> DltSource:
    return case.source(http=sandbox.http(), **{**settings(case, sandbox), **overrides})


def make_pipeline(name: str, pipelines_dir: Path) -> dlt.Pipeline:
    return dlt.pipeline(
        pipeline_name=name,
        destination=warehouse(),
        dataset_name=name,
        pipelines_dir=str(pipelines_dir),
    )


def run(case: VendorCase, sandbox: Sandbox, pipeline: dlt.Pipeline) -> RunResult:
    """One run of the vendor's source; `requests` counts requests sent, retries excluded."""
    before = sandbox.registry.stats().get(case.name, VendorStats(case.name))
    with mounted(sandbox):
        pipeline.run(case.source(http=sandbox.http(), **settings(case, sandbox)))
    after = sandbox.registry.stats()[case.name]
    normalize = pipeline.last_trace.last_normalize_info
    counts = {
        table: count
        for table, count in (normalize.row_counts if normalize else {}).items()
        if not table.startswith("_dlt")
    }
    requests = after.requests - before.requests
    return RunResult(requests - (after.retries - before.retries), counts)


def run_killed(case: VendorCase, sandbox: Sandbox, pipeline: dlt.Pipeline) -> None:
    """A run that dies after `crash_after_requests` requests, as a killed process would."""
    sandbox.traffic.requests.clear()
    sandbox.traffic.crash_after = case.crash_after_requests
    try:
        with pytest.raises(PipelineStepFailed) as failed:
            run(case, sandbox, pipeline)
        assert isinstance(failed.value.__context__ or failed.value.exception, Exception)
    finally:
        sandbox.traffic.crash_after = None


def assert_faults_met(answers: list[int | str]) -> None:
    """The run met a throttle, a server error and a time-out, and survived them."""
    met = {
        "429": 429 in answers,
        "5xx": any(isinstance(answer, int) and answer >= 500 for answer in answers),
        "timeout": "timeout" in answers,
    }
    assert all(met.values()), f"faults not met: {met}"


def table_names(wh: Warehouse, dataset: str) -> list[str]:
    prefix = f"{dataset}___"
    rows = wh.rows(
        f"SELECT name FROM system.tables WHERE database = '{RAW_DATABASE}' "
        f"AND startsWith(name, '{prefix}')"
    )
    tables = (name[len(prefix) :] for (name,) in rows)
    return sorted(table for table in tables if not table.startswith(("_dlt", "dlt_")))


def table_content(wh: Warehouse, dataset: str, table: str) -> dict[str, list[Any]]:
    """Every column but dlt's own, as sorted lists of values (NULL columns dropped)."""
    result = wh.query(f"SELECT * FROM {RAW_DATABASE}.`{dataset}___{table}`")
    columns = list(result.column_names)
    rows = list(result.result_rows)
    content: dict[str, list[Any]] = {}
    for index, column in enumerate(columns):
        if column.startswith("_dlt"):
            continue
        values = [row[index] for row in rows]
        if any(value is not None for value in values):
            content[column] = sorted(values, key=repr)
    return content


def duplicate_keys(wh: Warehouse, dataset: str, table: str, keys: tuple[str, ...]) -> int:
    key_list = ", ".join(f"`{key}`" for key in keys)
    rows = wh.rows(
        f"SELECT count() FROM (SELECT {key_list} FROM {RAW_DATABASE}.`{dataset}___{table}` "
        f"GROUP BY {key_list} HAVING count() > 1)"
    )
    return int(rows[0][0])


def assert_same_raw_tables(wh: Warehouse, case: VendorCase, dataset: str, oracle: str) -> None:
    """Every record exactly once, in its latest version, as a fresh load has it."""
    tables = [table for table in table_names(wh, oracle) if table != QUARANTINE_TABLE]
    assert tables, f"the fresh load of `{case.name}` loaded nothing"
    assert set(case.tables) <= set(tables), f"missing tables: {set(case.tables) - set(tables)}"
    assert [t for t in table_names(wh, dataset) if t != QUARANTINE_TABLE] == tables
    for table in tables:
        keys, _ = case.tables.get(table, (("id",), None))
        assert duplicate_keys(wh, dataset, table, keys) == 0, f"`{table}` holds a key twice"
        assert table_content(wh, dataset, table) == table_content(wh, oracle, table), table


def state_texts(pipeline: dlt.Pipeline, wh: Warehouse) -> Iterator[str]:
    """Everything dlt stored: files under the pipeline's folder and the state in the warehouse."""
    from dlt.pipeline.state_sync import decompress_state

    for path in Path(pipeline.working_dir).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            yield (gzip.decompress(data) if path.suffix == ".gz" else data).decode(
                "utf-8", "replace"
            )
    table = f"{RAW_DATABASE}.`{pipeline.dataset_name}____dlt_pipeline_state`"
    for (state,) in wh.rows(f"SELECT state FROM {table}"):
        yield repr(decompress_state(state))


@contextmanager
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every logger at DEBUG, dlt's too, masked as the command line masks them."""
    dlt_logger = logging.getLogger("dlt")
    install_log_masking([caplog.handler])
    dlt_logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="dlt"):
            yield caplog
    finally:
        dlt_logger.removeHandler(caplog.handler)


def run_lifecycle(
    case: VendorCase,
    wh: Warehouse,
    dataset: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Killed first run and restart under faults, second run, compared with a fresh load."""
    world = new_world(case.contacts_per_day)
    sandbox = sandbox_for(world)
    pipeline = make_pipeline(dataset, tmp_path / "pipelines")

    with debug_logs(caplog):
        sandbox.app.faults.configure(case.prefix, case.faults)
        run_killed(case, sandbox, pipeline)
        sandbox.traffic.answers.clear()
        sandbox.traffic.requests.clear()
        sandbox.traffic.script = dict(SCRIPTED_FAULTS)
        first = run(case, sandbox, pipeline)
        sandbox.traffic.script = {}
        sandbox.app.faults.configure(case.prefix, FaultConfig())
        assert_faults_met(sandbox.traffic.answers)

        world.advance(hours=case.advance_hours)
        sandbox.traffic.answers.clear()
        second = run(case, sandbox, pipeline)

    oracle = make_pipeline(f"{dataset}_fresh", tmp_path / "pipelines")
    fresh = run(case, sandbox, oracle)
    # without injected faults, the vendor's own rate limits never had to say no
    assert 429 not in sandbox.traffic.answers
    assert_same_raw_tables(wh, case, dataset, f"{dataset}_fresh")
    expected = case.second_run_requests
    assert second.requests == (expected if isinstance(expected, int) else expected(second))
    assert second.rows_of(case.incremental_tables) < fresh.rows_of(case.incremental_tables)
    assert first.rows > 0

    leaked = [secret for secret in secrets_of(sandbox) if secret in caplog.text]
    assert not leaked, "a credential reached the logs"
    stored = "\n".join(state_texts(pipeline, wh))
    assert not [secret for secret in secrets_of(sandbox) if secret in stored]


def assert_bad_credential_named(
    case: VendorCase, setting: str, wrong: str, pipelines_dir: Path
) -> None:
    """A refused credential stops the source with a message naming the setting, not the value."""
    sandbox = sandbox_for(new_world())
    source = make_source(case, sandbox, **{setting: wrong})
    pipeline = make_pipeline(f"bad_{case.name}", pipelines_dir)
    with mounted(sandbox), pytest.raises(PipelineStepFailed) as failed:
        pipeline.extract(source)
    error = find_source_error(failed.value)
    assert isinstance(error, SourceAuthError), failed.value
    message = str(error)
    assert f"sources.{case.name}." in message
    assert f"SOURCES__{case.name.upper()}__" in message
    assert wrong not in message
    assert error.status_code == 401
