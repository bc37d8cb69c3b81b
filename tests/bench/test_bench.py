"""The pieces of `make bench` that could go wrong without anyone noticing.

A benchmark that prints a wrong ratio, drops a measurement from the results file, counts a crash
as a pass, or compares ccpulse's KPI with a baseline that computes something else still "runs".
These tests hold each of those.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.contacts import contacts_select
from bench.extraction import _window_use
from bench.measurements import build_measurements
from bench.results import Bound, Measurement, format_table, load_results, ratio, write_results
from bench.runner import _merge, _parse, results_path
from bench.scales import SCALES
from ccpulse.warehouse import Warehouse

ROOT = Path(__file__).resolve().parents[2]
MEASUREMENT_KEYS = {
    "load_throughput",
    "incremental_freshness",
    "kpi_query_latency_vs_final",
    "kpi_query_latency_vs_duckdb",
    "exactness_under_change",
    "extraction_throughput",
    "rate_limit_use",
    "backfill_memory",
}


@pytest.mark.parametrize(
    ("ccpulse", "baseline", "higher_is_better", "expected"),
    [
        pytest.param(50.0, 200.0, True, 0.25, id="throughput-a-quarter-of-the-baseline"),
        pytest.param(10.0, 400.0, False, 40.0, id="latency-forty-times-faster"),
        pytest.param(3.0, 1.5, False, 0.5, id="latency-twice-as-slow"),
        pytest.param(None, 1.0, True, None, id="no-ccpulse-figure"),
        pytest.param(1.0, None, True, None, id="no-baseline"),
        pytest.param(0.0, 5.0, False, None, id="zero-error-has-no-ratio"),
    ],
)
def test_ratio_says_how_many_times_better_ccpulse_did(
    ccpulse: float | None, baseline: float | None, higher_is_better: bool, expected: float | None
) -> None:
    got = ratio(ccpulse, baseline, higher_is_better)

    assert got == expected if expected is None else math.isclose(got or 0, expected)


def _latency(ccpulse: float | None, baseline: float | None) -> Measurement:
    return Measurement(
        key="latency",
        title="latency",
        unit="ms",
        goal="median < 50 ms and >= 20x faster",
        bounds=[Bound("ccpulse", "<", 50.0), Bound("ratio", ">=", 20.0)],
        higher_is_better=False,
        ccpulse=ccpulse,
        baseline=baseline,
    )


@pytest.mark.parametrize(
    ("ccpulse", "baseline", "error", "met"),
    [
        pytest.param(10.0, 400.0, None, True, id="both-bounds-hold"),
        pytest.param(10.0, 100.0, None, False, id="fast-but-not-twenty-times"),
        pytest.param(60.0, 6000.0, None, False, id="twenty-times-but-over-50-ms"),
        pytest.param(10.0, None, None, None, id="missing-baseline-is-no-verdict"),
        pytest.param(10.0, 400.0, "query_latency exited with status 1", None, id="crash-no-pass"),
    ],
)
def test_a_goal_is_met_only_when_every_bound_holds(
    ccpulse: float, baseline: float | None, error: str | None, met: bool | None
) -> None:
    measurement = _latency(ccpulse, baseline)
    measurement.error = error

    assert measurement.met is met


def _figures() -> dict[str, Any]:
    profile = [{"statement": "INSERT INTO `cc`.`contacts_changes`", "share_pct": 60.0}]
    return {
        "load": {
            "ccpulse_rows_per_s": 100_000.0,
            "plain_rows_per_s": 800_000.0,
            "all_rows_applied": True,
            "profile": profile,
        },
        "freshness": {
            "median_s": 0.6,
            "plain_median_s": 0.02,
            "all_changes_applied": True,
            "aggregate_equals_recomputation": True,
            "profile": profile,
        },
        "query_latency": {
            "median_ms": {"ccpulse": 12.0, "final": 3000.0, "duckdb": 180.0},
            "answers_agree": {"final": {"aht": True}, "duckdb": {"aht": True}},
        },
        "exactness": {
            "wrong_pct": {"cc": 0.0, "naive": 37.5},
            "contacts_handled": {"truth": 10.0, "cc": 10.0, "naive": 14.0},
            "largest_relative_error": {"cc": 0.0, "naive": 0.4},
        },
        "extraction_throughput": {
            "records_per_s": 20_000.0,
            "plain_records_per_s": 60_000.0,
            "records_per_s_without_sandbox": 45_000.0,
            "sandbox_seconds": 3.0,
            "seconds": 5.0,
            "per_vendor": {"zendesk": {"records": 9, "seconds": 1.0, "sandbox_seconds": 0.5}},
        },
        "rate_limit_use": {
            "used_pct": 96.0,
            "failed_runs": 0,
            "allowed_per_window": 300,
            "window_s": 60.0,
            "requests": 700,
            "refused": 0,
        },
        "backfill_memory": {
            "peak_rss_mib": 900.0,
            "idle_rss_mib": 300.0,
            "contacts": 10,
            "days": 98,
            "seconds": 4.0,
            "method": "recompute_window",
        },
    }


def test_every_measurement_is_built_with_its_figures_and_verdict() -> None:
    measurements = {m.key: m for m in build_measurements(_figures(), {})}

    assert set(measurements) == MEASUREMENT_KEYS
    verdicts = {key: m.met for key, m in measurements.items()}
    assert verdicts == {
        "load_throughput": False,  # 12.5% of the plain rate
        "incremental_freshness": True,
        "kpi_query_latency_vs_final": True,  # 250x
        "kpi_query_latency_vs_duckdb": False,  # 15x
        "exactness_under_change": True,
        "extraction_throughput": False,
        "rate_limit_use": True,
        "backfill_memory": True,
    }
    assert math.isclose(measurements["load_throughput"].ratio or 0, 0.125)
    assert "contacts_changes" in " ".join(measurements["load_throughput"].notes)


def test_a_missed_freshness_says_how_much_the_daily_aggregates_took() -> None:
    figures = _figures()
    figures["freshness"].update(median_s=3.0, ccpulse_s=[2.0, 4.0], daily_aggregates_s=[1.5, 3.0])

    (freshness,) = [m for m in build_measurements(figures, {}) if m.key == "incremental_freshness"]

    assert freshness.met is False
    notes = " ".join(freshness.notes)
    assert "took 75% of it" in notes
    assert "about 0.75 s per batch" in notes


def test_a_crashed_worker_gives_a_crashed_measurement_not_a_pass() -> None:
    figures = _figures()
    figures["query_latency"] = None
    errors = {"query_latency": "query_latency exited with status 1: MemoryError"}

    measurements = {m.key: m for m in build_measurements(figures, errors)}

    for key in ("kpi_query_latency_vs_final", "kpi_query_latency_vs_duckdb"):
        assert measurements[key].met is None
        assert measurements[key].error == errors["query_latency"]
    assert "CRASHED" in format_table(list(measurements.values()))


def test_incomplete_figures_are_reported_as_a_crash() -> None:
    figures = _figures()
    del figures["freshness"]["median_s"]

    (freshness,) = [m for m in build_measurements(figures, {}) if m.key == "incremental_freshness"]

    assert freshness.met is None
    assert freshness.error is not None
    assert "median_s" in freshness.error


def test_the_results_file_holds_every_measurement_and_the_table_one_line_each(
    tmp_path: Path,
) -> None:
    measurements = build_measurements(_figures(), {})
    path = tmp_path / "results.json"

    write_results(path, {"scale": {"name": "smoke"}}, measurements)
    written = load_results(path)

    assert {m["key"] for m in written["measurements"]} == MEASUREMENT_KEYS
    by_key = {m["key"]: m for m in written["measurements"]}
    assert by_key["kpi_query_latency_vs_final"]["ratio"] == pytest.approx(250.0)
    assert len(format_table(measurements).splitlines()) == len(MEASUREMENT_KEYS) + 2


def test_smoke_runs_never_overwrite_the_published_results() -> None:
    assert results_path(SCALES["default"]).name == "results.json"
    assert results_path(SCALES["smoke"]).name == "results-smoke.json"


def test_the_published_results_have_a_number_and_a_consistent_ratio_everywhere() -> None:
    path = results_path(SCALES["default"])
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make bench` and commit its results")
    published = json.loads(path.read_text(encoding="utf-8"))

    assert published["scale"]["name"] == "default"
    assert {m["key"] for m in published["measurements"]} == MEASUREMENT_KEYS
    for m in published["measurements"]:
        assert m["error"] is None, m["key"]
        assert isinstance(m["ccpulse"], int | float), m["key"]
        assert m["ratio"] == ratio(m["ccpulse"], m["baseline"], m["higher_is_better"]), m["key"]
        assert m["met"] in (True, False), m["key"]


@pytest.mark.parametrize(
    ("answers", "used_pct", "windows"),
    [
        pytest.param(
            [(0.01 * i, 200) for i in range(10)]
            + [(1.0 + 0.01 * i, 200) for i in range(10)]
            + [(2.0 + 0.01 * i, 200) for i in range(4)],
            100.0,
            2,
            id="full-windows-then-a-partial-one",
        ),
        pytest.param(
            [(0.1 * i, 200) for i in range(5)] + [(1.5, 200), (2.2, 200)],
            30.0,
            2,
            id="half-used-windows",
        ),
        pytest.param(
            [(0.0, 200), (0.1, 429), (0.2, 429), (1.1, 200)],
            10.0,
            1,
            id="refused-requests-do-not-count",
        ),
        pytest.param([(0.0, 200), (0.5, 200)], None, 0, id="too-short-to-judge"),
    ],
)
def test_rate_limit_use_counts_served_requests_in_whole_windows(
    answers: list[tuple[float, int]], used_pct: float | None, windows: int
) -> None:
    use = _window_use(answers, allowed=10, window_s=1.0)

    assert use["windows"] == windows
    assert use["used_pct"] == (None if used_pct is None else pytest.approx(used_pct))


def test_generated_contacts_are_in_the_unified_shape_and_revisions_change_them(
    embedded_warehouse: Warehouse,
) -> None:
    first = contacts_select(800, 0, 800, days=2)
    revised = contacts_select(800, 0, 800, revision="1", days=2)

    count, legs, keys, first_day, last_day, abandoned_with_agent = embedded_warehouse.rows(
        "SELECT count(), countIf(leg = 2), uniqExact(contact_id, leg), "
        "toDate(min(offered_at)), toDate(max(offered_at)), "
        f"countIf(abandoned = 1 AND agent_id IS NOT NULL) FROM ({first})"
    )[0]
    changed = embedded_warehouse.scalar(
        "SELECT countIf(b.talk_s = a.talk_s + 10 AND b.updated_at > a.updated_at) "
        f"FROM ({first}) AS a JOIN ({revised}) AS b USING (contact_id, leg) "
        "WHERE a.abandoned = 0"
    )

    assert (count, legs, keys) == (800, 100, 800)
    assert (str(first_day), str(last_day)) == ("2026-01-01", "2026-01-02")
    assert abandoned_with_agent == 0
    # every answered contact's revision has more talk time and a later `updated_at`
    assert changed == embedded_warehouse.scalar(f"SELECT countIf(abandoned = 0) FROM ({first})")


@pytest.mark.slow
def test_the_query_baselines_compute_the_same_kpis_as_the_bi_views(tmp_path: Path) -> None:
    """The smoke-size latency worker in its own process: DuckDB's and FINAL's answers must equal
    the BI views' for every query, or the speed comparison would be meaningless."""
    out = tmp_path / "query.json"
    env = {
        **os.environ,
        "BENCH_SCALE": "smoke",
        "TZ": "UTC",
        "CCPULSE_WAREHOUSE": f"chdb://{tmp_path / 'warehouse'}",
        "PYTHONPATH": str(ROOT),
    }
    subprocess.run(
        [sys.executable, "-m", "bench.worker", "query_latency", str(tmp_path / "work"), str(out)],
        env=env,
        cwd=ROOT,
        check=True,
        timeout=600,
        capture_output=True,
    )
    figures = json.loads(out.read_text(encoding="utf-8"))

    for baseline in ("final", "duckdb"):
        assert all(figures["answers_agree"][baseline].values()), figures["answers_agree"]
    assert all(value > 0 for value in figures["median_ms"].values())


def test_a_partial_rerun_replaces_only_its_measurements(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    figures = _figures()
    write_results(path, {"scale": {"name": "default"}}, build_measurements(figures, {}))
    figures["query_latency"]["median_ms"] = {"ccpulse": 20.0, "final": 100.0, "duckdb": 900.0}
    rerun = build_measurements(figures, {}, cases={"query_latency"})

    run, merged = _merge(
        path, {"started_at": "later", "worker_seconds": {"query_latency": 1}}, rerun
    )

    by_key = {m.key: m for m in merged}
    assert [m.key for m in merged] == [m["key"] for m in load_results(path)["measurements"]]
    assert by_key["kpi_query_latency_vs_duckdb"].ratio == pytest.approx(45.0)
    assert (
        by_key["load_throughput"].as_dict()
        == Measurement.from_dict(by_key["load_throughput"].as_dict()).as_dict()
    )
    assert run["reruns"][0]["started_at"] == "later"


def test_a_rerun_takes_the_cases_that_share_a_warehouse_only_together() -> None:
    assert _parse(["--only", "load,backfill_memory,freshness,exactness"]) == {
        "load",
        "backfill_memory",
        "freshness",
        "exactness",
    }
    with pytest.raises(SystemExit, match="load,backfill_memory,freshness"):
        _parse(["--only", "freshness"])
