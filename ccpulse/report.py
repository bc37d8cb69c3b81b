"""The HTML report: one self-contained page of the KPIs, written for a contact-centre manager.

`build_report` reads every figure through `kpi_views.generator.kpi_query`, the same SQL the `kpi`
views hold, so the page can be written from the embedded warehouse or from a ClickHouse server.
It shows the headline KPIs with their daily trend, service level and speed of answer by hour of
day, contact volume by channel, handle time and first contact resolution by agent, survey scores
by channel, occupancy and schedule adherence by skill group, and a table of the whole catalogue.

The page needs no network: plotly.js is inlined, fonts are the system's, and a
Content-Security-Policy forbids every fetch, so it opens the same on a plane as in the office.
Charts whose KPIs have no data in the period say so instead of drawing empty axes.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from ccpulse import __version__
from ccpulse.errors import WarehouseError
from ccpulse.warehouse import Warehouse
from kpi_views.catalog import CATALOG, Kpi
from kpi_views.facts import SERVICE_LEVEL_THRESHOLD_S
from kpi_views.generator import kpi_query
from transforms.unified_model import DATABASE

__all__ = ["DEMO_REPORT_PATH", "HEADLINE_KPIS", "build_report", "write_report"]

logger = logging.getLogger(__name__)

DEMO_REPORT_PATH = Path("demo") / "report.html"
"""Where `ccpulse demo` writes its report, under the working directory."""

HEADLINE_KPIS = (
    "contacts_offered",
    "service_level",
    "average_speed_of_answer",
    "abandonment_rate",
    "average_handle_time",
    "first_contact_resolution_rate",
    "csat",
    "nps",
)
"""The KPIs shown as tiles at the top of the page, in reading order."""

FONT_FAMILY = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", '
    '"DejaVu Sans", Arial, sans-serif'
)
PRIMARY = "#2563eb"
SECONDARY = "#d97706"
CHANNEL_COLOURS = ("#2563eb", "#0d9488", "#d97706", "#7c3aed", "#db2777", "#4b5563")

_DIRECTION_LABEL = {
    "higher_is_better": "higher is better",
    "lower_is_better": "lower is better",
    "neutral": "for context, no better direction",
}
_AGENT_BAR_PX = 22
_AGENTS_EACH_END = 15
"""A chart by agent shows this many best and worst agents, so it stays on a laptop screen."""


@dataclass(frozen=True)
class _Row:
    """One row of a KPI query: the period, its breakdown values and the parts of the figure."""

    period: datetime | None
    keys: dict[str, str]
    value: float
    numerator: float
    denominator: float | None


@dataclass
class _Page:
    """What the report collects while reading: the figures to draw, keyed by chart id."""

    figures: dict[str, dict[str, Any]] = field(default_factory=dict)

    def chart(self, chart_id: str, figure: go.Figure, label: str, sparkline: bool = False) -> str:
        """Register a figure and return the element it is drawn into."""
        # No mode bar: it covers legends and titles, and hovering gives the exact figures.
        config = {"displaylogo": False, "displayModeBar": False, "responsive": True}
        self.figures[chart_id] = {**figure.to_plotly_json(), "config": config}
        css_class = "sparkline" if sparkline else "chart"
        return (
            f'<div class="{css_class}" id="chart-{chart_id}" data-figure="{chart_id}" '
            f'role="img" aria-label="{html.escape(label)}"></div>'
        )


def build_report(
    warehouse: Warehouse,
    start: date | None = None,
    end: date | None = None,
    database: str = DATABASE,
) -> str:
    """The report for the days `start` to `end` (inclusive; None: all data) as one HTML page.

    `database` is where the KPI aggregates are read from, as for `kpi_query`.
    """
    if start and end and start > end:
        raise ValueError(f"the report starts on {start} after it ends on {end}")
    reader = _Reader(warehouse, start, end, database)
    page = _Page()

    sections = [
        _headline_section(reader, page),
        _interval_section(reader, page),
        _volume_section(reader, page),
        _agent_section(reader, page),
        _channel_section(reader, page),
        _skill_group_section(reader, page),
        _catalogue_section(reader),
    ]
    logger.info("report: %d charts from %d queries", len(page.figures), reader.queries)
    return _html_page(_period_label(start, end, reader.days), sections, page.figures)


def write_report(
    warehouse: Warehouse,
    path: Path,
    start: date | None = None,
    end: date | None = None,
) -> Path:
    """Build the report and write it to `path` (folders created as needed); return the path."""
    page = build_report(warehouse, start, end)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    logger.info("report written to %s (%d bytes)", path, len(page.encode()))
    return path


class _Reader:
    """Runs KPI queries for one period and keeps track of the days that had data."""

    def __init__(self, warehouse: Warehouse, start: date | None, end: date | None, database: str):
        self.warehouse = warehouse
        self.start = start
        self.end = end
        self.database = database
        self.days: set[date] = set()
        self.queries = 0

    def rows(self, kpi: Kpi, by: Sequence[str] = (), grain: str = "all") -> list[_Row]:
        sql = kpi_query(kpi, by, grain, self.start, self.end, self.database).sql()
        try:
            result = self.warehouse.query(sql)
        except WarehouseError as exc:
            raise WarehouseError(
                f"cannot read `{kpi.id}` for the report ({exc}); if the warehouse is new or was "
                "set up by an older ccpulse, run `ccpulse views apply` first"
            ) from exc
        self.queries += 1
        rows = [
            _row(dict(zip(result.column_names, r, strict=True)), by) for r in result.result_rows
        ]
        self.days.update(row.period.date() for row in rows if row.period and grain != "all")
        return rows

    def overall(self, kpi: Kpi) -> float | None:
        rows = self.rows(kpi)
        return rows[0].value if rows else None


def _row(record: dict[str, Any], by: Sequence[str]) -> _Row:
    denominator = record.get("denominator")
    return _Row(
        period=record["period"],
        # Breakdown values become chart labels, which plotly reads as a little HTML (links
        # included): a vendor's agent or channel name is shown as text, never as markup.
        keys={dimension: html.escape(str(record[dimension]), quote=False) for dimension in by},
        value=float(record["value"]),
        numerator=float(record["numerator"]),
        denominator=None if denominator is None else float(denominator),
    )


# Sections -------------------------------------------------------------------------------------


def _headline_section(reader: _Reader, page: _Page) -> str:
    tiles = [_tile(reader, page, CATALOG[kpi_id]) for kpi_id in HEADLINE_KPIS]
    return _section(
        "headline",
        "Headline KPIs",
        "The period's figure, and its trend day by day (UTC days).",
        f'<div class="tiles">{"".join(tiles)}</div>',
    )


def _tile(reader: _Reader, page: _Page, kpi: Kpi) -> str:
    overall = reader.overall(kpi)
    daily = reader.rows(kpi, grain="day")
    if overall is None:
        figure_html = '<span class="tile-value no-data">no data</span>'
    else:
        figure_html = f'<span class="tile-value">{html.escape(_figure_text(kpi, overall))}</span>'
    trend = ""
    if daily:
        trend = page.chart(
            f"trend-{kpi.id}", _sparkline(kpi, daily), f"{kpi.name} by day", sparkline=True
        )
    return (
        f'<div class="tile" data-kpi="{kpi.id}">'
        f'<div class="tile-name">{html.escape(kpi.name)}</div>'
        f"{figure_html}"
        f'<div class="tile-note">{html.escape(_DIRECTION_LABEL[kpi.direction])}</div>'
        f"{trend}</div>"
    )


def _sparkline(kpi: Kpi, daily: list[_Row]) -> go.Figure:
    points = [(row.period.date().isoformat(), row.value) for row in daily if row.period]
    unit = _unit_suffix(kpi)
    trace = go.Scatter(
        x=[day for day, _ in points],
        y=[value for _, value in points],
        mode="lines+markers",
        line={"color": PRIMARY, "width": 2},
        marker={"size": 5},
        hovertemplate=f"%{{x|%d %b %Y}}: %{{y:,.1f}}{unit}<extra></extra>",
    )
    layout = _layout(height=56, margin={"l": 4, "r": 4, "t": 4, "b": 4})
    layout.update(
        xaxis={"visible": False, "type": "date"},
        yaxis={"visible": False},
        showlegend=False,
    )
    return go.Figure(trace, layout)


def _interval_section(reader: _Reader, page: _Page) -> str:
    service_level = CATALOG["service_level"]
    speed = CATALOG["average_speed_of_answer"]
    by_hour = {
        kpi.id: _by_hour_of_day(kpi, reader.rows(kpi, grain="hour"))
        for kpi in (service_level, speed)
    }
    intro = (
        "Each hour of the day over the whole period: service level (answered within "
        f"{SERVICE_LEVEL_THRESHOLD_S} s, bars) and average speed of answer (line), by the hour "
        "the contact was offered (UTC)."
    )
    title = "Service level and speed of answer by hour of day"
    if not any(by_hour.values()):
        body = _no_data("No contact was offered to a queue in this period.")
        return _section("interval", title, intro, body)

    hours = list(range(24))
    labels = [f"{hour:02d}:00" for hour in hours]
    traces = []
    if by_hour["service_level"]:
        traces.append(
            go.Bar(
                name="service level (%)",
                x=labels,
                y=[by_hour["service_level"].get(hour) for hour in hours],
                marker={"color": PRIMARY},
                hovertemplate="%{x}: %{y:.1f} %<extra>service level</extra>",
            )
        )
    if by_hour["average_speed_of_answer"]:
        traces.append(
            go.Scatter(
                name="average speed of answer (s)",
                x=labels,
                y=[by_hour["average_speed_of_answer"].get(hour) for hour in hours],
                yaxis="y2",
                mode="lines+markers",
                connectgaps=False,
                line={"color": SECONDARY, "width": 2},
                hovertemplate="%{x}: %{y:,.0f} s<extra>speed of answer</extra>",
            )
        )
    layout = _layout(height=340)
    layout.update(
        xaxis={"title": {"text": "hour of day (UTC)"}, "type": "category"},
        yaxis={"title": {"text": "service level (%)"}, "range": [0, 105], "ticksuffix": " %"},
        yaxis2={
            "title": {"text": "average speed of answer (seconds)"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "ticksuffix": " s",
            "tickformat": ",.0f",
            "tickmode": "auto",
            "showgrid": False,
        },
        legend={"orientation": "h", "y": 1.12, "x": 0},
        margin={"l": 70, "r": 80, "t": 40, "b": 60},
    )
    notes = [
        _no_data(f"No {kpi.name.lower()} in this period.")
        for kpi in (service_level, speed)
        if not by_hour[kpi.id]
    ]
    chart = page.chart("interval", go.Figure(traces, layout), "service level and ASA by hour")
    return _section("interval", title, intro, chart + "".join(notes))


def _by_hour_of_day(kpi: Kpi, hourly: list[_Row]) -> dict[int, float]:
    """Fold hourly rows onto the 24 hours of a day, dividing the summed parts (exact, not an
    average of averages)."""
    numerator: dict[int, float] = defaultdict(float)
    denominator: dict[int, float] = defaultdict(float)
    for row in hourly:
        if row.period is None:
            continue
        numerator[row.period.hour] += row.numerator
        denominator[row.period.hour] += row.denominator or 0.0
    return {
        hour: kpi.scale * numerator[hour] / denominator[hour]
        for hour in numerator
        if denominator[hour] > 0
    }


def _volume_section(reader: _Reader, page: _Page) -> str:
    kpi = CATALOG["contacts_offered"]
    rows = reader.rows(kpi, ("channel",), "day")
    intro = "Inbound contacts offered to a queue each day, by channel."
    if not rows:
        body = _no_data("No contact was offered to a queue in this period.")
        return _section("volume", "Contacts offered by day and channel", intro, body)

    by_channel: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        if row.period:
            by_channel[row.keys["channel"]][row.period.date().isoformat()] = row.value
    traces = [
        go.Bar(
            name=channel,
            x=list(days),
            y=list(days.values()),
            marker={"color": CHANNEL_COLOURS[index % len(CHANNEL_COLOURS)]},
            hovertemplate=f"%{{x|%d %b}}: %{{y:,.0f}} contacts<extra>{channel}</extra>",
        )
        for index, (channel, days) in enumerate(sorted(by_channel.items()))
    ]
    layout = _layout(height=300)
    layout.update(
        barmode="stack",
        xaxis={
            "title": {"text": "day (UTC)"},
            "type": "date",
            "tickformat": "%d %b",
            "dtick": 86_400_000,
        },
        yaxis={"title": {"text": "contacts offered (count)"}, "rangemode": "tozero"},
        legend={"orientation": "h", "y": 1.15, "x": 0},
    )
    chart = page.chart("volume", go.Figure(traces, layout), "contacts offered by day and channel")
    return _section("volume", "Contacts offered by day and channel", intro, chart)


def _agent_section(reader: _Reader, page: _Page) -> str:
    handle_time = CATALOG["average_handle_time"]
    resolution = CATALOG["first_contact_resolution_rate"]
    charts = [
        _agent_chart(reader, page, handle_time, "average handle time (seconds)", " s"),
        _agent_chart(reader, page, resolution, "first contact resolution (%)", " %"),
    ]
    intro = (
        "Average handle time (talk + hold + after-call work per handled contact) and first "
        "contact resolution per agent, best at the top."
    )
    return _section(
        "agents", "Handle time and first contact resolution by agent", intro, _grid(charts)
    )


def _agent_chart(reader: _Reader, page: _Page, kpi: Kpi, axis_title: str, suffix: str) -> str:
    rows = reader.rows(kpi, ("agent",))
    if not rows:
        return _card(kpi.name, _no_data(f"No {kpi.name.lower()} by agent in this period."))

    # Best at the top: plotly draws the first category of a horizontal bar chart at the bottom.
    ordered = sorted(rows, key=lambda row: row.value, reverse=kpi.direction == "lower_is_better")
    note = ""
    if len(ordered) > 2 * _AGENTS_EACH_END:
        note = _note(
            f"{len(ordered)} agents: the {_AGENTS_EACH_END} best and the {_AGENTS_EACH_END} "
            f"worst are shown; `ccpulse kpi {kpi.id} --by agent` lists them all."
        )
        ordered = ordered[:_AGENTS_EACH_END] + ordered[-_AGENTS_EACH_END:]
    agents = [row.keys["agent"] for row in ordered]
    labels = _short_agent_labels(agents)
    trace = go.Bar(
        x=[row.value for row in ordered],
        y=labels,
        orientation="h",
        customdata=agents,
        marker={"color": PRIMARY},
        hovertemplate=f"%{{customdata}}: %{{x:,.1f}}{suffix}<extra></extra>",
    )
    layout = _layout(height=max(240, _AGENT_BAR_PX * len(ordered) + 90))
    xaxis: dict[str, Any] = {
        "title": {"text": axis_title},
        "ticksuffix": suffix,
        "rangemode": "tozero",
    }
    if kpi.unit == "percent":
        xaxis["range"] = [0, 105]
    layout.update(
        xaxis=xaxis,
        yaxis={"title": {"text": "agent"}, "type": "category", "automargin": True},
        bargap=0.3,
        margin={"l": 10, "r": 20, "t": 10, "b": 60},
    )
    chart = page.chart(f"{kpi.id}-by-agent", go.Figure(trace, layout), f"{kpi.name} by agent")
    return _card(kpi.name, chart + note)


def _short_agent_labels(agents: list[str]) -> list[str]:
    """Agents are often known by work e-mail; the part before `@` reads better on an axis, as
    long as no two agents share it."""
    short = [agent.split("@", 1)[0] for agent in agents]
    return short if len(set(short)) == len(short) else agents


def _channel_section(reader: _Reader, page: _Page) -> str:
    charts = [
        _channel_chart(reader, page, CATALOG["csat"], "CSAT (% satisfied)", [0, 105]),
        _channel_chart(reader, page, CATALOG["nps"], "NPS (points, -100 to 100)", [-100, 100]),
        _channel_chart(reader, page, CATALOG["ces"], "CES (% finding it easy)", [0, 105]),
    ]
    intro = (
        "Customer surveys by the channel of the contact they rate: CSAT (top two boxes), net "
        "promoter score (promoters minus detractors) and customer effort (agreeing it was easy)."
    )
    return _section(
        "channels", "Customer satisfaction, NPS and effort by channel", intro, _grid(charts)
    )


def _channel_chart(
    reader: _Reader, page: _Page, kpi: Kpi, axis_title: str, value_range: list[int]
) -> str:
    rows = sorted(reader.rows(kpi, ("channel",)), key=lambda row: row.keys["channel"])
    if not rows:
        return _card(kpi.name, _no_data(f"No {kpi.name.lower()} responses in this period."))
    unit = _unit_suffix(kpi)
    trace = go.Bar(
        x=[row.keys["channel"] for row in rows],
        y=[row.value for row in rows],
        customdata=[row.denominator for row in rows],
        marker={"color": [CHANNEL_COLOURS[i % len(CHANNEL_COLOURS)] for i in range(len(rows))]},
        text=[f"{row.value:,.0f}" for row in rows],
        textposition="outside",
        cliponaxis=False,
        hovertemplate=f"%{{x}}: %{{y:,.1f}}{unit}, %{{customdata:,.0f}} responses<extra></extra>",
    )
    layout = _layout(height=300)
    layout.update(
        xaxis={"title": {"text": "channel"}, "type": "category"},
        yaxis={"title": {"text": axis_title}, "range": value_range, "zeroline": True},
        showlegend=False,
        margin={"l": 60, "r": 10, "t": 28, "b": 60},
    )
    chart = page.chart(f"{kpi.id}-by-channel", go.Figure(trace, layout), f"{kpi.name} by channel")
    return _card(kpi.name, chart)


def _skill_group_section(reader: _Reader, page: _Page) -> str:
    occupancy = CATALOG["occupancy_rate"]
    adherence = CATALOG["schedule_adherence_rate"]
    series = {
        kpi.id: {row.keys["skill_group"]: row.value for row in reader.rows(kpi, ("skill_group",))}
        for kpi in (occupancy, adherence)
    }
    intro = (
        "Occupancy (time on contacts and their wrap-up out of time available or on contacts) and "
        "schedule adherence (scheduled time spent in the scheduled activity), by skill group."
    )
    title = "Occupancy and schedule adherence by skill group"
    if not any(series.values()):
        return _section(
            "skill-groups", title, intro, _no_data("No agent states or schedules in this period.")
        )

    groups = sorted({group for values in series.values() for group in values})
    traces = [
        go.Bar(
            name=f"{kpi.name.lower()} (%)",
            x=groups,
            y=[series[kpi.id].get(group) for group in groups],
            marker={"color": colour},
            hovertemplate=f"%{{x}}: %{{y:.1f}} %<extra>{kpi.name.lower()}</extra>",
        )
        for kpi, colour in ((occupancy, PRIMARY), (adherence, SECONDARY))
        if series[kpi.id]
    ]
    layout = _layout(height=320)
    layout.update(
        barmode="group",
        xaxis={"title": {"text": "skill group"}, "type": "category"},
        yaxis={"title": {"text": "share of time (%)"}, "range": [0, 105], "ticksuffix": " %"},
        legend={"orientation": "h", "y": 1.15, "x": 0},
    )
    notes = [
        f"No {kpi.name.lower()} data in this period."
        for kpi in (occupancy, adherence)
        if not series[kpi.id]
    ]
    chart = page.chart("skill-groups", go.Figure(traces, layout), title)
    return _section("skill-groups", title, intro, chart + "".join(_no_data(n) for n in notes))


def _catalogue_section(reader: _Reader) -> str:
    rows = []
    for kpi in CATALOG.values():
        value = reader.overall(kpi)
        shown = _figure_text(kpi, value) if value is not None else "no data"
        value_class = "value" if value is not None else "value no-data"
        raw = "" if value is None else f' data-value="{value!r}"'
        rows.append(
            f'<tr data-kpi="{kpi.id}">'
            f'<td><span class="kpi-name">{html.escape(kpi.name)}</span>'
            f"<code>{html.escape(kpi.id)}</code></td>"
            f'<td class="{value_class}"{raw}>{html.escape(shown)}</td>'
            f"<td>{html.escape(kpi.unit)}</td>"
            f"<td>{html.escape(kpi.formula)}</td>"
            f"<td>{html.escape(_DIRECTION_LABEL[kpi.direction])}</td></tr>"
        )
    table = (
        '<table id="kpi-table"><thead><tr><th>KPI</th><th>value</th><th>unit</th>'
        "<th>definition</th><th>direction</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    intro = (
        "Every KPI ccpulse keeps, over the whole period. BI tools find the same figures in the "
        "views of the warehouse's kpi database, by channel, skill, skill group and agent, per "
        "hour, day, week or month."
    )
    return _section("catalogue", "Every KPI", intro, table)


# Formatting -----------------------------------------------------------------------------------


def _figure_text(kpi: Kpi, value: float) -> str:
    """A figure as a manager reads it: 82.5 %, 8 min 20 s, +12 points, 1,234."""
    if kpi.unit == "percent":
        return f"{value:,.1f} %"
    if kpi.unit == "seconds":
        return _duration(value)
    if kpi.unit == "points":
        return f"{value:+,.1f} points"
    if kpi.unit == "count":
        return f"{value:,.0f}"
    if kpi.unit == "money":
        return f"{value:,.2f}"
    return f"{value:,.1f}"


def _duration(seconds: float) -> str:
    whole = round(seconds)
    if whole < 60:
        return f"{seconds:,.1f} s"
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    return f"{whole // 3600} h {whole % 3600 // 60:02d} min"


def _unit_suffix(kpi: Kpi) -> str:
    return {"percent": " %", "seconds": " s", "points": " points"}.get(kpi.unit, "")


def _period_label(start: date | None, end: date | None, days: Iterable[date]) -> str:
    seen = sorted(days)
    first = start or (seen[0] if seen else None)
    last = end or (seen[-1] if seen else None)
    if first is None or last is None:
        return "no data yet"
    if first == last:
        return f"{first:%d %b %Y} (UTC)"
    return f"{first:%d %b %Y} to {last:%d %b %Y} (UTC)"


def _layout(height: int, margin: dict[str, int] | None = None) -> go.Layout:
    return go.Layout(
        template=go.layout.Template(),
        height=height,
        margin=margin or {"l": 70, "r": 20, "t": 40, "b": 60},
        font={"family": FONT_FAMILY, "size": 13, "color": "#1f2937"},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        hoverlabel={"font": {"family": FONT_FAMILY}},
        xaxis={"gridcolor": "#e5e7eb", "linecolor": "#9ca3af"},
        yaxis={"gridcolor": "#e5e7eb", "linecolor": "#9ca3af"},
    )


# The page -------------------------------------------------------------------------------------


def _section(section_id: str, title: str, intro: str, body: str) -> str:
    return (
        f'<section id="{section_id}"><h2>{html.escape(title)}</h2>'
        f'<p class="intro">{html.escape(intro)}</p>{body}</section>'
    )


def _card(title: str, body: str) -> str:
    return f'<div class="card"><h3>{html.escape(title)}</h3>{body}</div>'


def _grid(cards: list[str]) -> str:
    return f'<div class="grid grid-{len(cards)}">{"".join(cards)}</div>'


def _no_data(message: str) -> str:
    return f'<p class="no-data">{html.escape(message)}</p>'


def _note(message: str) -> str:
    return f'<p class="note">{html.escape(message)}</p>'


_DRAW_SCRIPT = """
(function () {
  var figures = JSON.parse(document.getElementById("report-figures").textContent);
  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var figure = figures[element.dataset.figure];
    Plotly.newPlot(element, figure.data, figure.layout, figure.config);
  });
})();
"""

_STYLE = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: #1f2937; font-family: %(font)s; font-size: 14px;
  line-height: 1.45; }
main { max-width: 1320px; margin: 0 auto; padding: 20px 24px 40px; }
header h1 { margin: 0; font-size: 24px; }
header p { margin: 4px 0 0; color: #4b5563; }
section { background: #fff; border-radius: 8px; padding: 16px 18px; margin-top: 18px;
  box-shadow: 0 1px 2px rgba(0, 0, 0, 0.06); }
h2 { margin: 0; font-size: 18px; }
h3 { margin: 0 0 4px; font-size: 15px; font-weight: 600; }
.intro { margin: 4px 0 12px; color: #4b5563; }
.tiles { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 12px; }
.tile { border: 1px solid #e5e7eb; border-radius: 8px; padding: 10px 12px; }
.tile-name { font-size: 13px; color: #4b5563; }
.tile-value { display: block; font-size: 26px; font-weight: 650; margin: 2px 0; }
.tile-note { font-size: 12px; color: #6b7280; }
.sparkline { height: 56px; margin-top: 6px; }
.grid { display: grid; gap: 16px; }
.grid-2 { grid-template-columns: repeat(2, minmax(0, 1fr)); }
.grid-3 { grid-template-columns: repeat(3, minmax(0, 1fr)); }
.card { min-width: 0; }
.no-data, .note { color: #6b7280; font-style: italic; margin: 8px 0; }
.tile-value.no-data { font-size: 20px; }
table { width: 100%%; border-collapse: collapse; font-size: 13px; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px;
  border-bottom: 1px solid #e5e7eb; }
th { background: #f9fafb; position: sticky; top: 0; }
td.value { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.kpi-name { display: block; font-weight: 600; }
code { font-size: 12px; color: #6b7280; }
footer { margin-top: 18px; color: #6b7280; font-size: 12px; }
"""


def _html_page(period: str, sections: list[str], figures: dict[str, dict[str, Any]]) -> str:
    plotly_js = get_plotlyjs()
    # `<` is escaped so that nothing in the data (an agent or channel name) can close the tag.
    figures_json = json.dumps(figures, separators=(",", ":")).replace("<", "\\u003c")
    policy = "; ".join(
        [
            "default-src 'none'",
            f"script-src {_script_hash(plotly_js)} {_script_hash(_DRAW_SCRIPT)}",
            "style-src 'unsafe-inline'",
            "img-src data: blob:",
            "font-src 'none'",
            "connect-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Contact centre report, {html.escape(period)}</title>\n"
        f"<style>{_STYLE % {'font': FONT_FAMILY}}</style>\n"
        "</head><body><main>\n"
        f"<header><h1>Contact centre report</h1><p>{html.escape(period)}</p></header>\n"
        + "\n".join(sections)
        + "\n<footer>Written by ccpulse "
        f"{html.escape(__version__)} on {generated}. Figures are read with the same SQL as the "
        "warehouse's <code>kpi</code> views; hover a chart for exact values.</footer>\n"
        "</main>\n"
        f'<script type="application/json" id="report-figures">{figures_json}</script>\n'
        f"<script>{plotly_js}</script>\n"
        f"<script>{_DRAW_SCRIPT}</script>\n"
        "</body></html>\n"
    )


def _script_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"
