"""The report of a real demo, opened in headless Chromium as a manager would open it.

One tiny demo (the sandbox served on loopback, every connector, two incremental runs) runs in a
process of its own with a warehouse of its own, and writes `demo/report.html`. The page is then
loaded from disk at a laptop's screen size: every chart must have drawn marks for its data, the
page must not have asked for anything but itself, and nothing may have been logged as an error.
`ccpulse report` on the same warehouse must list every KPI with the figure the warehouse's `kpi`
views hold, and keep to the days asked for.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kpi_views.catalog import CATALOG
from kpi_views.generator import BI_DATABASE, bi_view_name
from tests.report.browser import chromium_available, open_page

pytestmark = [
    pytest.mark.slow,
    # CI installs Chromium (`make test`), so there a missing browser fails instead of skipping.
    pytest.mark.skipif(
        not chromium_available() and not os.environ.get("CI"),
        reason="needs Debian's `chromium` (apt-get install chromium; `make test` installs it)",
    ),
]

SEED = 3
DAYS = 2
CONTACTS_PER_DAY = 40
CHARTS_OF_A_FULL_REPORT = {
    "interval",
    "volume",
    "average_handle_time-by-agent",
    "first_contact_resolution_rate-by-agent",
    "csat-by-channel",
    "nps-by-channel",
    "ces-by-channel",
    "skill-groups",
}

# Each chart's marks as plotly draws them: bars, markers and line paths of every trace.
_CHARTS_JS = """
Array.from(document.querySelectorAll("[data-figure]")).map(function (element) {
  var marks = Array.from(element.querySelectorAll(
    ".trace .point path, .trace path.point, .trace path.js-line"));
  var drawn = marks.filter(function (mark) {
    var box = mark.getBBox();
    return box.width > 0 || box.height > 0;
  });
  var values = (element.data || []).map(function (trace) {
    var axis = trace.orientation === "h" ? trace.x : trace.y;
    return (axis || []).filter(function (v) { return v !== null; }).length;
  });
  return {
    id: element.dataset.figure,
    traces: (element.data || []).length,
    values: values.reduce(function (a, b) { return a + b; }, 0),
    drawn: drawn.length,
    width: element.getBoundingClientRect().width,
  };
})
"""

_TABLE_JS = """
Array.from(document.querySelectorAll("#kpi-table tbody tr")).map(function (row) {
  var cells = row.querySelectorAll("td");
  return {
    id: row.dataset.kpi,
    name: cells[0].querySelector(".kpi-name").textContent,
    shown: cells[1].textContent,
    value: cells[1].dataset.value === undefined ? null : Number(cells[1].dataset.value),
    formula: cells[3].textContent,
  };
})
"""


@dataclass(frozen=True)
class Demo:
    folder: Path
    warehouse: str
    output: str


def _ccpulse(demo_folder: Path, warehouse: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ccpulse.cli", *args],
        cwd=demo_folder,
        env={**os.environ, "CCPULSE_WAREHOUSE": warehouse},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    folder = tmp_path_factory.mktemp("demo")
    warehouse = f"chdb://{folder / 'warehouse'}"
    done = _ccpulse(
        folder,
        warehouse,
        "demo",
        f"--days={DAYS}",
        f"--contacts-per-day={CONTACTS_PER_DAY}",
        f"--seed={SEED}",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return Demo(folder, warehouse, done.stdout)


def _figures(page: Path) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="report-figures">(.*?)</script>',
        page.read_text(encoding="utf-8"),
        re.S,
    )
    assert found is not None
    return dict(json.loads(found.group(1)))


def _view_values(demo: Demo) -> dict[str, float]:
    """Every KPI's figure over all time, read from the `kpi` views the BI tools read."""
    selects = [
        f"SELECT '{kpi.id}' AS kpi, value FROM `{BI_DATABASE}`.`{bi_view_name(kpi, (), 'all')}`"
        for kpi in CATALOG.values()
    ]
    done = _ccpulse(
        demo.folder, demo.warehouse, "sql", " UNION ALL ".join(selects), "--format=json"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return {record["kpi"]: float(record["value"]) for record in json.loads(done.stdout)}


def test_the_demo_writes_its_report_and_says_where(demo: Demo) -> None:
    page = demo.folder / "demo" / "report.html"

    assert f"report: {page.resolve()}" in demo.output
    assert page.stat().st_size > 1_000_000


def test_every_chart_draws_its_data_offline_without_errors(demo: Demo) -> None:
    path = demo.folder / "demo" / "report.html"

    with open_page(path) as page:
        page.wait_until(
            "Array.from(document.querySelectorAll('[data-figure]'))"
            ".every(function (e) { return e.querySelector('.main-svg .trace'); })"
        )
        charts = page.evaluate(_CHARTS_JS)
        viewport_width = page.evaluate("document.documentElement.scrollWidth")

    ids = {chart["id"] for chart in charts}
    assert ids == set(_figures(path)), "every figure of the page has a container, and no more"
    assert ids >= CHARTS_OF_A_FULL_REPORT
    assert len([i for i in ids if i.startswith("trend-")]) == 8
    for chart in charts:
        assert chart["traces"] >= 1, chart
        assert chart["values"] >= 1, chart
        assert chart["drawn"] >= chart["values"], f"`{chart['id']}` left values undrawn: {chart}"
        assert chart["width"] > 150, chart
    assert viewport_width <= 1366, "the page scrolls sideways on a 1366 px laptop screen"
    assert page.requests == [page.url], "the page fetched something besides itself"
    assert page.errors == []


def test_the_table_lists_every_kpi_with_the_views_figure(demo: Demo) -> None:
    done = _ccpulse(demo.folder, demo.warehouse, "report", "--out=all-time.html")
    assert done.returncode == 0, done.stderr[-3000:]

    with open_page(demo.folder / "all-time.html") as page:
        rows = page.evaluate(_TABLE_JS)
    views = _view_values(demo)

    assert [row["id"] for row in rows] == list(CATALOG)
    for row in rows:
        kpi = CATALOG[row["id"]]
        assert row["name"] == kpi.name
        assert row["formula"] == kpi.formula
        if kpi.id in views:
            assert row["value"] == pytest.approx(views[kpi.id], rel=1e-9), kpi.id
        else:
            assert (row["value"], row["shown"]) == (None, "no data"), kpi.id
    shown = [row for row in rows if row["value"] is not None]
    assert len(shown) >= 20, "the tiny demo should still have most KPIs"


def test_the_report_command_keeps_to_the_days_asked_for(demo: Demo) -> None:
    days = _figures(demo.folder / "demo" / "report.html")["trend-contacts_offered"]["data"][0]["x"]
    first = days[0]

    done = _ccpulse(
        demo.folder, demo.warehouse, "report", f"--from={first}", f"--to={first}", "--out=one.html"
    )
    asked = _ccpulse(
        demo.folder,
        demo.warehouse,
        "kpi",
        "contacts_offered",
        "--grain=all",
        f"--from={first}",
        f"--to={first}",
        "--format=json",
    )

    assert done.returncode == 0, done.stderr
    out = demo.folder / "one.html"
    assert done.stdout.strip() == f"report: {out.resolve()}"
    assert len(days) >= DAYS
    figures = _figures(out)
    assert figures["trend-contacts_offered"]["data"][0]["x"] == [first]
    offered = json.loads(asked.stdout)[0]["value"]
    tile = re.search(
        r'data-kpi="contacts_offered">.*?class="tile-value">([^<]+)<', out.read_text("utf-8")
    )
    assert tile is not None
    assert tile.group(1) == f"{offered:,.0f}"


def test_a_reversed_period_is_refused_with_the_arguments_named(demo: Demo) -> None:
    done = _ccpulse(demo.folder, demo.warehouse, "report", "--from=2026-01-07", "--to=2026-01-05")

    assert done.returncode == 2
    assert "--from 2026-01-07 is after --to 2026-01-05" in done.stderr
    assert not (demo.folder / "report.html").exists()
