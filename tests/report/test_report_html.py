"""The report's HTML, built from aggregates written by hand in a database of the test's own.

Fast: no sandbox and no browser. The page must stay self-contained (nothing fetched from a
network), say "no data" rather than draw empty charts, and divide summed parts when it folds
hourly figures onto the hours of a day.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from typing import Any

import pytest

from ccpulse.report import build_report
from ccpulse.schema import apply_migrations
from ccpulse.warehouse import Warehouse
from kpi_views.catalog import CATALOG
from kpi_views.generator import aggregate_statements, kpi_query


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text of every script."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict[str, str | None] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts.append((self._script, data))
            self._script = None


def _parse(page: str) -> _Elements:
    elements = _Elements()
    elements.feed(page)
    return elements


def _figures(page: str) -> dict[str, Any]:
    elements = _parse(page)
    text = next(data for attrs, data in elements.scripts if attrs.get("id") == "report-figures")
    return dict(json.loads(text))


@pytest.fixture
def aggregates(embedded_warehouse: Warehouse, unique_name: str) -> Iterator[tuple[Warehouse, str]]:
    """Empty KPI aggregates, with the rollups their views keep, in a database of this test's own
    (KPIs of levels at an instant, such as retention, read the current-state tables of `cc`,
    which the migrations create)."""
    apply_migrations(embedded_warehouse)
    embedded_warehouse.command(f"CREATE DATABASE `{unique_name}`")
    for statement in aggregate_statements(unique_name):
        embedded_warehouse.command(statement)
    yield embedded_warehouse, unique_name
    embedded_warehouse.command(f"DROP DATABASE `{unique_name}`")


def _contacts(
    warehouse: Warehouse, database: str, rows: list[tuple[str, str, int, int, int]]
) -> None:
    """Hourly contact parts: (hour, channel, offered, answered within 20 s, answered)."""
    values = ", ".join(
        f"('{hour}', '{channel}', '', '', '', {offered}, {in_threshold}, {answered})"
        for hour, channel, offered, in_threshold, answered in rows
    )
    warehouse.command(
        f"INSERT INTO `{database}`.`agg_contacts` "
        "(hour, channel, skill, skill_group, agent, offered, answered_in_threshold, "
        f"answered_of_offered) VALUES {values}"
    )


def test_an_empty_warehouse_says_no_data_and_draws_nothing(
    aggregates: tuple[Warehouse, str],
) -> None:
    warehouse, database = aggregates

    page = build_report(warehouse, database=database)

    assert _figures(page) == {}
    assert 'data-figure="' not in page
    rows = dict(re.findall(r'<tr data-kpi="([a-z_]+)"><td>.*?</td><td class="([^"]+)"', page))
    assert list(rows) == list(CATALOG)
    # KPIs of levels at an instant (retention) read `cc`, which other tests may have filled.
    from_aggregates = [
        kpi.id
        for kpi in CATALOG.values()
        if not re.search(r"`?\bcc`?\.", kpi_query(kpi, (), "all", database=database).sql())
    ]
    assert "csat" in from_aggregates
    assert {rows[kpi_id] for kpi_id in from_aggregates} == {"value no-data"}
    assert page.count('class="no-data"') >= 5


def test_the_page_fetches_nothing_and_its_policy_admits_only_its_own_scripts(
    aggregates: tuple[Warehouse, str],
) -> None:
    warehouse, database = aggregates
    _contacts(warehouse, database, [("2026-01-05 09:00:00", "voice", 10, 8, 9)])

    page = build_report(warehouse, database=database)
    elements = _parse(page)

    linked = [
        (tag, name, value)
        for tag, attrs in elements.tags
        for name, value in attrs.items()
        if name in ("src", "href", "srcset", "action", "data", "poster")
    ]
    assert not [link for link in linked if re.match(r"\s*(https?:)?//", link[2] or "")], linked
    policy = next(
        attrs["content"] or ""
        for tag, attrs in elements.tags
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
    )
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["connect-src"] == "'none'"
    executed = [data for attrs, data in elements.scripts if "type" not in attrs]
    assert len(executed) == 2  # plotly.js and the few lines that draw the charts
    allowed = set(directives["script-src"].split())
    for script in executed:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed
    assert "Plotly.newPlot" in executed[1]
    assert len(executed[0]) > 1_000_000  # the charting library itself, inlined


def test_hour_of_day_divides_summed_parts_over_days(aggregates: tuple[Warehouse, str]) -> None:
    warehouse, database = aggregates
    # 09:00 on two days: 1 of 1 then 0 of 3 answered in time is 25 %, not the mean 50 %.
    _contacts(
        warehouse,
        database,
        [
            ("2026-01-05 09:00:00", "voice", 1, 1, 1),
            ("2026-01-06 09:00:00", "voice", 3, 0, 3),
            ("2026-01-06 14:00:00", "chat", 4, 3, 4),
        ],
    )

    page = build_report(warehouse, database=database)
    figures = _figures(page)

    service_level = figures["interval"]["data"][0]
    by_hour = dict(zip(service_level["x"], service_level["y"], strict=True))
    assert by_hour["09:00"] == pytest.approx(25.0)
    assert by_hour["14:00"] == pytest.approx(75.0)
    assert by_hour["10:00"] is None
    volume = {trace["name"]: sum(trace["y"]) for trace in figures["volume"]["data"]}
    assert volume == {"chat": 4, "voice": 4}
    assert "05 Jan 2026 to 06 Jan 2026 (UTC)" in page


@pytest.mark.parametrize(
    ("start", "end", "offered", "label"),
    [
        pytest.param(date(2026, 1, 6), date(2026, 1, 6), "7", "06 Jan 2026 (UTC)", id="one-day"),
        pytest.param(date(2026, 1, 5), None, "11", "05 Jan 2026 to 06 Jan 2026", id="from-only"),
        pytest.param(None, date(2026, 1, 5), "4", "05 Jan 2026 (UTC)", id="to-only"),
    ],
)
def test_the_period_limits_every_figure(
    aggregates: tuple[Warehouse, str],
    start: date | None,
    end: date | None,
    offered: str,
    label: str,
) -> None:
    warehouse, database = aggregates
    _contacts(
        warehouse,
        database,
        [
            ("2026-01-05 09:00:00", "voice", 4, 4, 4),
            ("2026-01-06 09:00:00", "voice", 3, 0, 3),
            ("2026-01-06 14:00:00", "chat", 4, 3, 4),
        ],
    )

    page = build_report(warehouse, start, end, database=database)

    tile = re.search(r'data-kpi="contacts_offered">.*?class="tile-value">([^<]+)<', page)
    assert tile is not None
    assert tile.group(1) == offered
    assert label in page


def test_a_reversed_period_is_refused(aggregates: tuple[Warehouse, str]) -> None:
    warehouse, database = aggregates
    with pytest.raises(ValueError, match="starts on 2026-01-06 after it ends on 2026-01-05"):
        build_report(warehouse, date(2026, 1, 6), date(2026, 1, 5), database=database)


def test_agents_are_shown_as_text_and_a_long_list_keeps_its_best_and_worst(
    aggregates: tuple[Warehouse, str],
) -> None:
    warehouse, database = aggregates
    link = '<a href="https://example.com/">agent</a>'
    # Agent k handles one contact of 100 + k seconds: agent 0 is the best, agent 39 the worst.
    agents = [link, *(f"agent-{k:02d}@example.test" for k in range(1, 40))]
    values = ", ".join(
        f"('2026-01-05 10:00:00', 'voice', '', '', '{agent}', 1, {100 + k})"
        for k, agent in enumerate(agents)
    )
    warehouse.command(
        f"INSERT INTO `{database}`.`agg_contacts` "
        f"(hour, channel, skill, skill_group, agent, handled, talk_s) VALUES {values}"
    )

    page = build_report(warehouse, database=database)
    handle_time = _figures(page)["average_handle_time-by-agent"]["data"][0]

    assert len(handle_time["y"]) == 30
    assert handle_time["x"][-1] == 100  # best at the top, drawn last
    assert handle_time["x"][0] == 139
    assert handle_time["x"][14:16] == [125, 114]  # the 15 worst, then the 15 best
    assert handle_time["customdata"][-1] == html.escape(link, quote=False)
    assert handle_time["y"][0] == "agent-39"
    assert "40 agents: the 15 best and the 15 worst are shown" in page
    assert "<a" not in json.dumps(_figures(page))
