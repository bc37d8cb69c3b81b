"""Period KPIs: levels at an instant (customers active, employees on the payroll), per period.

Retention, churn, lifetime value and attrition compare a level at the start of a period with
the same population at its end, or average a daily level over the period's days. Such a level is
not a sum of hourly parts: the customers active on Monday and still active on Sunday are not the
sum of those of each day. These KPIs are therefore computed when read, per period of the
requested grain, from the current-state tables (`cc.customers`, `cc.employees`, `cc.revenue`,
and the handled contacts for per-channel cohorts). Those tables hold exactly the current version
of every record (`FINAL`), so a late churn date, a corrected hire date or a deleted payment is
reflected the next time a KPI is read, with nothing to rebuild.

Periods run from the first day the KPI's records cover (or `--from`) to now (or the end of
`--to`); the period in progress ends now. Each period `[starts_at, ends_at)` is the grain's
period clipped to that range, and `all` is the range itself.

A period KPI yields the same columns as the others: `period`, the breakdown columns,
`numerator`, `denominator` and `value` (`scale * numerator / denominator`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from transforms.unified_model import DATABASE

__all__ = ["PERIOD_MEASURES", "RETENTION_LOOKBACK_DAYS", "PeriodMeasure", "period_sql"]

RETENTION_LOOKBACK_DAYS = 90
"""Per channel, skill, skill group or agent, a customer belongs to the cohort of the breakdown
values of the contacts handled in this many days before the period start."""

_INDENT = "    "
_NOW = "now64(3, 'UTC')"


@dataclass(frozen=True)
class PeriodMeasure:
    """One way of reading levels at instants into a numerator and a denominator."""

    name: str
    reads: tuple[str, ...]
    """The unified tables (and aggregates) it reads."""
    dimensions: tuple[str, ...]
    """The breakdowns it can be computed by."""


_CONTACT_KEYS = ("channel", "skill", "skill_group", "agent")

PERIOD_MEASURES: Mapping[str, PeriodMeasure] = MappingProxyType(
    {
        measure.name: measure
        for measure in (
            PeriodMeasure("retained", ("customers", "contacts"), _CONTACT_KEYS),
            PeriodMeasure("churned", ("customers", "contacts"), _CONTACT_KEYS),
            PeriodMeasure("separations", ("employees",), ("channel", "skill_group", "agent")),
            PeriodMeasure("lifetime_value", ("customers", "revenue"), ("channel",)),
            PeriodMeasure("lifetime_value_to_cac", ("customers", "revenue", "costs"), ("channel",)),
        )
    }
)


@dataclass(frozen=True)
class _Grain:
    start: str
    """SQL turning `{0}`, an instant, into the start of its period (a `DateTime('UTC')`)."""
    step: str
    """Interval function of one period."""
    count: str
    """SQL over `first` and `range_end`: enough periods to cover the range (extras are cut)."""


_GRAINS: Mapping[str, _Grain] = MappingProxyType(
    {
        "hour": _Grain(
            "toDateTime(toStartOfHour({0}), 'UTC')",
            "toIntervalHour",
            "dateDiff('hour', first, range_end) + 2",
        ),
        "day": _Grain(
            "toDateTime(toStartOfDay({0}), 'UTC')",
            "toIntervalDay",
            "dateDiff('day', first, range_end) + 2",
        ),
        "week": _Grain(
            "toDateTime(toMonday({0}), 'UTC')",
            "toIntervalWeek",
            "intDiv(dateDiff('day', first, range_end), 7) + 2",
        ),
        "month": _Grain(
            "toDateTime(toStartOfMonth({0}), 'UTC')",
            "toIntervalMonth",
            "dateDiff('month', first, range_end) + 2",
        ),
    }
)


def _table(name: str) -> str:
    return f"`{DATABASE}`.`{name}`"


def _lines(items: Sequence[str], indent: int) -> str:
    return (",\n" + _INDENT * indent).join(items)


def _block(name: str, body: str) -> str:
    """A named subquery of a WITH clause, its body indented one level."""
    inner = body.replace("\n", "\n" + _INDENT * 2)
    return f"{_INDENT}{name} AS (\n{_INDENT * 2}{inner}\n{_INDENT})"


def _bounds(first: tuple[str, str], start: dt.date | None, end: dt.date | None) -> str:
    """The range the periods cover: from `start` (or the midnight before the first record's
    `column` in `table`, given as `first`) to the end of `end` (or now), and never past now: a
    level in the future is not known yet."""
    ends = _NOW
    if end is not None:
        after = (end + dt.timedelta(days=1)).isoformat()
        ends = f"least(toDateTime64('{after}', 3, 'UTC'), {_NOW})"
    if start is not None:
        begins = f"toDateTime64('{start.isoformat()}', 3, 'UTC')"
        return f"SELECT\n{_INDENT}{begins} AS range_start,\n{_INDENT}{ends} AS range_end"
    column, table = first
    begins = f"toDateTime64(toStartOfDay(minOrNull({column})), 3, 'UTC')"
    return (
        "SELECT\n"
        f"{_INDENT}ifNull({begins}, {_NOW}) AS range_start,\n"
        f"{_INDENT}{ends} AS range_end\n"
        f"FROM {_table(table)} FINAL"
    )


def _periods(grain: str) -> str:
    """Every period of `grain` in the range: its label, `starts_at`, `ends_at` and `period_key`
    (the label, or the epoch for `all`, so that rows can be joined on it)."""
    if grain == "all":
        return (
            "SELECT\n"
            f"{_INDENT}CAST(NULL AS Nullable(DateTime('UTC'))) AS period,\n"
            f"{_INDENT}toDateTime(0, 'UTC') AS period_key,\n"
            f"{_INDENT}range_start AS starts_at,\n"
            f"{_INDENT}range_end AS ends_at\n"
            "FROM bounds\n"
            "WHERE range_start < range_end"
        )
    spec = _GRAINS[grain]
    return (
        "SELECT\n"
        f"{_INDENT}period,\n"
        f"{_INDENT}period AS period_key,\n"
        f"{_INDENT}greatest(toDateTime64(period, 3, 'UTC'), range_start) AS starts_at,\n"
        f"{_INDENT}least(toDateTime64(period + {spec.step}(1), 3, 'UTC'), range_end) AS ends_at\n"
        "FROM (\n"
        f"{_INDENT}SELECT\n"
        f"{_INDENT * 2}range_start,\n"
        f"{_INDENT * 2}range_end,\n"
        f"{_INDENT * 2}{spec.start.format('range_start')} AS first,\n"
        f"{_INDENT * 2}toUInt64(greatest(0, {spec.count})) AS period_count\n"
        f"{_INDENT}FROM bounds\n"
        ")\n"
        f"ARRAY JOIN arrayMap(n -> first + {spec.step}(n), range(period_count)) AS period\n"
        "WHERE period < range_end\n"
        "AND range_start < range_end"
    )


def _period_key(grain: str, time: str) -> str:
    """The `period_key` of the period an instant falls in."""
    return "toDateTime(0, 'UTC')" if grain == "all" else _GRAINS[grain].start.format(time)


_CUSTOMERS = (
    "SELECT\n"
    f"{_INDENT}customer_id,\n"
    f"{_INDENT}acquired_at,\n"
    f"{_INDENT}churned_at,\n"
    f"{_INDENT}ifNull(acquisition_channel, '') AS acquisition_channel\n"
    f"FROM {_table('customers')} FINAL\n"
    "WHERE acquired_at IS NOT NULL"
)

# Active at an instant: acquired at or before it, and not churned at or before it.
_ACTIVE_AT_START = "\nAND ".join(
    (
        "customers.acquired_at <= cohort.starts_at",
        "ifNull(customers.churned_at > cohort.starts_at, 1)",
    )
)
_ACTIVE_AT_END = "ifNull(customers.churned_at > cohort.ends_at, 1)"

_CONTACT_DIMENSIONS = {
    "channel": "channel",
    "skill": "ifNull(skill, '')",
    "skill_group": "ifNull(skill_group, '')",
    "agent": "ifNull(agent_id, '')",
}


def _contacted(by: Sequence[str]) -> str:
    """Customers with a handled contact in the lookback before some period start, by the hour
    it was answered (period starts are whole hours, so the hour decides which windows hold it)."""
    keys = [f"{_CONTACT_DIMENSIONS[d]} AS {d}" for d in by]
    window = f"toIntervalDay({RETENTION_LOOKBACK_DAYS})"
    return (
        "SELECT DISTINCT\n"
        f"{_INDENT}customer_id,\n"
        f"{_INDENT}{_lines(keys, 1)},\n"
        f"{_INDENT}toStartOfHour(answered_at) AS answered_hour\n"
        f"FROM {_table('contacts')} FINAL\n"
        "WHERE answered_at IS NOT NULL\n"
        "AND customer_id IS NOT NULL\n"
        f"AND answered_at >= (SELECT min(starts_at) FROM periods) - {window}\n"
        "AND answered_at < (SELECT max(starts_at) FROM periods)"
    )


def _cohorts(by: Sequence[str]) -> str:
    """(period, customer, breakdown values) for every customer contacted on those values in the
    lookback before the period start."""
    window = f"toIntervalDay({RETENTION_LOOKBACK_DAYS})"
    columns = ["periods.period AS period", "periods.starts_at AS starts_at"]
    columns += ["periods.ends_at AS ends_at", "contacted.customer_id AS customer_id"]
    columns += [f"contacted.{d} AS {d}" for d in by]
    filters = [f"contacted.{d} != ''" for d in by]
    return (
        "SELECT DISTINCT\n"
        f"{_INDENT}{_lines(columns, 1)}\n"
        "FROM periods\n"
        "CROSS JOIN contacted\n"
        f"WHERE contacted.answered_hour >= periods.starts_at - {window}\n"
        "AND contacted.answered_hour < periods.starts_at\n" + "\n".join(f"AND {f}" for f in filters)
    )


def _customer_cohort_sql(
    by: Sequence[str], grain: str, start: dt.date | None, end: dt.date | None
) -> tuple[list[str], str]:
    """The WITH blocks and the FROM clause of the customers active at each period start: every
    customer without a breakdown, else those contacted on each breakdown value (see `_cohorts`).
    Rows carry the period, its bounds (`cohort.starts_at`, `cohort.ends_at`), the breakdown
    values and the customer (`customers.*`)."""
    blocks = [
        _block("bounds", _bounds(("acquired_at", "customers"), start, end)),
        _block("periods", _periods(grain)),
        _block("customers", _CUSTOMERS),
    ]
    if by:
        blocks += [_block("contacted", _contacted(by)), _block("cohorts", _cohorts(by))]
        source = (
            "cohorts AS cohort\n"
            "INNER JOIN customers ON customers.customer_id = cohort.customer_id\n"
            f"WHERE {_ACTIVE_AT_START}"
        )
    else:
        # TODO: read the cohort from hourly acquisition and churn counts kept by a view, with
        # a running sum - once an hourly view over years of customers is too slow to read.
        source = f"periods AS cohort\nCROSS JOIN customers\nWHERE {_ACTIVE_AT_START}"
    return blocks, source


def _with(blocks: Sequence[str]) -> str:
    return "WITH\n" + ",\n".join(blocks) + "\n"


def _retention_sql(
    kept: bool, by: Sequence[str], grain: str, start: dt.date | None, end: dt.date | None
) -> str:
    blocks, source = _customer_cohort_sql(by, grain, start, end)
    counted = _ACTIVE_AT_END if kept else f"NOT {_ACTIVE_AT_END}"
    columns = ["cohort.period AS period", *[f"cohort.{d} AS {d}" for d in by]]
    columns += [f"countIf({counted}) AS numerator", "count() AS denominator"]
    return (
        _with(blocks) + "SELECT\n"
        f"{_INDENT}{_lines(columns, 1)}\n"
        f"FROM {source}\n"
        f"GROUP BY {', '.join(['period', *by])}"
    )


_EMPLOYEES = (
    "SELECT\n"
    f"{_INDENT}ifNull(primary_channel, '') AS channel,\n"
    f"{_INDENT}ifNull(skill_group, '') AS skill_group,\n"
    f"{_INDENT}agent_id AS agent,\n"
    f"{_INDENT}hired_at,\n"
    f"{_INDENT}terminated_at\n"
    f"FROM {_table('employees')} FINAL"
)

# The days of a period: every midnight from the one starting the period's first day up to its
# end (at least that first day, so an hour has the headcount of its day).
_PERIOD_DAYS = (
    "SELECT\n"
    f"{_INDENT}period,\n"
    f"{_INDENT}starts_at,\n"
    f"{_INDENT}ends_at,\n"
    f"{_INDENT}days,\n"
    f"{_INDENT}day_number,\n"
    f"{_INDENT}first_day + toIntervalDay(day_number) AS day\n"
    "FROM (\n"
    f"{_INDENT}SELECT\n"
    f"{_INDENT * 2}period,\n"
    f"{_INDENT * 2}starts_at,\n"
    f"{_INDENT * 2}ends_at,\n"
    f"{_INDENT * 2}toDateTime64(toStartOfDay(starts_at), 3, 'UTC') AS first_day,\n"
    f"{_INDENT * 2}toUInt64(greatest(1, ceil((toUnixTimestamp64Milli(ends_at) - "
    "toUnixTimestamp64Milli(first_day)) / 86400000))) AS days\n"
    f"{_INDENT}FROM periods\n"
    ")\n"
    "ARRAY JOIN range(days) AS day_number"
)


def _attrition_sql(
    by: Sequence[str], grain: str, start: dt.date | None, end: dt.date | None
) -> str:
    """Separations in the period over its average daily headcount.

    An employee is on the headcount of a day when hired at or before its midnight and not
    terminated before it; a separation counts in the period its termination falls in, once (on
    the period's first day row).
    """
    blocks = [
        _block("bounds", _bounds(("hired_at", "employees"), start, end)),
        _block("periods", _periods(grain)),
        _block("employees", _EMPLOYEES),
        _block("period_days", _PERIOD_DAYS),
    ]
    separated = (
        "day_number = 0 AND employees.terminated_at >= period_days.starts_at "
        "AND employees.terminated_at < period_days.ends_at"
    )
    employed = (
        "employees.hired_at <= period_days.day "
        "AND ifNull(employees.terminated_at >= period_days.day, 1)"
    )
    columns = ["period_days.period AS period", *[f"employees.{d} AS {d}" for d in by]]
    columns += [
        f"countIf({separated}) AS numerator",
        f"countIf({employed}) / any(period_days.days) AS denominator",
    ]
    return (
        _with(blocks) + "SELECT\n"
        f"{_INDENT}{_lines(columns, 1)}\n"
        "FROM period_days\n"
        "CROSS JOIN employees\n"
        f"GROUP BY {', '.join(['period', *by])}"
    )


def _lifetime_blocks(
    by: Sequence[str], grain: str, start: dt.date | None, end: dt.date | None
) -> list[str]:
    """WITH blocks up to `lifetime`: per period (and acquisition channel), the gross margin per
    paying customer (`margin_per_customer`) and the churn of the customers active at the
    period start (`churn`, a fraction)."""
    keys = [f"{_period_key(grain, 'occurred_at')} AS period_key"]
    keys += ["acquisition_channel AS channel"] if by else []
    revenue = _table("revenue")
    payments = (
        "SELECT\n"
        f"{_INDENT}{_lines(keys, 1)},\n"
        f"{_INDENT}revenue.customer_id AS customer_id,\n"
        f"{_INDENT}revenue.amount AS amount,\n"
        f"{_INDENT}revenue.gross_margin AS gross_margin\n"
        f"FROM {revenue} AS revenue FINAL\n"
        "LEFT JOIN customers ON customers.customer_id = revenue.customer_id\n"
        "CROSS JOIN bounds\n"
        "WHERE occurred_at >= range_start\n"
        "AND occurred_at < range_end"
    )
    groups = ["period_key", *(["channel"] if by else [])]
    # Margin is revenue-weighted over the payments whose margin is known.
    margin = (
        "sum(amount) / uniqExact(customer_id) * sum(amount * ifNull(gross_margin, 0)) / "
        "nullIf(sumIf(amount, gross_margin IS NOT NULL), 0)"
    )
    paid = (
        "SELECT\n"
        f"{_INDENT}{_lines(groups, 1)},\n"
        f"{_INDENT}{margin} AS margin_per_customer\n"
        "FROM payments\n"
        + ("WHERE channel != ''\n" if by else "")
        + f"GROUP BY {', '.join(groups)}"
    )
    churn_keys = ["cohort.period_key AS period_key"]
    churn_keys += ["customers.acquisition_channel AS channel"] if by else []
    churn = (
        "SELECT\n"
        f"{_INDENT}{_lines(churn_keys, 1)},\n"
        f"{_INDENT}countIf(NOT {_ACTIVE_AT_END}) / count() AS churn\n"
        "FROM periods AS cohort\n"
        "CROSS JOIN customers\n"
        f"WHERE {_ACTIVE_AT_START}\n"
        f"GROUP BY {', '.join(groups)}"
    )
    joined = ["paid.period_key AS period_key", *(["paid.channel AS channel"] if by else [])]
    joined += ["paid.margin_per_customer AS margin_per_customer", "churned.churn AS churn"]
    lifetime = (
        "SELECT\n"
        f"{_INDENT}{_lines(joined, 1)}\n"
        "FROM paid\n"
        f"INNER JOIN churned USING ({', '.join(groups)})"
    )
    return [
        _block("bounds", _bounds(("occurred_at", "revenue"), start, end)),
        _block("periods", _periods(grain)),
        _block("customers", _CUSTOMERS),
        _block("payments", payments),
        _block("paid", paid),
        _block("churned", churn),
        _block("lifetime", lifetime),
    ]


def _lifetime_value_sql(
    by: Sequence[str], grain: str, start: dt.date | None, end: dt.date | None
) -> str:
    """Gross margin per paying customer in the period over the period's churn fraction."""
    columns = ["periods.period AS period", *(["lifetime.channel AS channel"] if by else [])]
    columns += ["lifetime.margin_per_customer AS numerator", "lifetime.churn AS denominator"]
    return (
        _with(_lifetime_blocks(by, grain, start, end)) + "SELECT\n"
        f"{_INDENT}{_lines(columns, 1)}\n"
        "FROM lifetime\n"
        "INNER JOIN periods USING (period_key)"
    )


def _lifetime_value_to_cac_sql(
    by: Sequence[str], grain: str, start: dt.date | None, end: dt.date | None, database: str
) -> str:
    """Lifetime value over the cost per acquisition of the same period (acquisition spend over
    customers acquired, from the cost and customer aggregates); by channel, the spend booked on
    a marketing channel over the customers acquired through it."""
    key = f"{_period_key(grain, 'hour')} AS period_key" + (", channel" if by else "")
    spend = (
        f"SELECT {key}, acquisition_cost AS spend, toInt64(0) AS acquired\n"
        f"FROM `{database}`.`agg_costs`, bounds\n"
        "WHERE hour >= range_start AND hour < range_end\n"
        "UNION ALL\n"
        f"SELECT {key}, 0.0 AS spend, acquired\n"
        f"FROM `{database}`.`agg_customers`, bounds\n"
        "WHERE hour >= range_start AND hour < range_end"
    )
    keys = ["period_key", *(["channel"] if by else [])]
    groups = ", ".join(keys)
    cac = (
        "SELECT\n"
        f"{_INDENT}{_lines(keys, 1)},\n"
        f"{_INDENT}sum(spend) / sum(acquired) AS cost_per_acquisition\n"
        f"FROM (\n{_INDENT}{spend.replace(chr(10), chr(10) + _INDENT)}\n)\n"
        f"GROUP BY {groups}\n"
        "HAVING sum(acquired) > 0"
    )
    blocks = [*_lifetime_blocks(by, grain, start, end), _block("acquisition", cac)]
    columns = ["periods.period AS period", *(["lifetime.channel AS channel"] if by else [])]
    columns += [
        "lifetime.margin_per_customer / lifetime.churn AS numerator",
        "acquisition.cost_per_acquisition AS denominator",
    ]
    return (
        _with(blocks) + "SELECT\n"
        f"{_INDENT}{_lines(columns, 1)}\n"
        "FROM lifetime\n"
        f"INNER JOIN acquisition USING ({groups})\n"
        "INNER JOIN periods USING (period_key)\n"
        "WHERE lifetime.churn > 0"
    )


def period_sql(
    measure: str,
    by: Sequence[str],
    grain: str,
    scale: float,
    start: dt.date | None = None,
    end: dt.date | None = None,
    database: str = DATABASE,
) -> str:
    """The query of a period KPI: `period`, the breakdown columns `by` (null for an empty
    value), `numerator`, `denominator` and `scale * numerator / denominator`, one row per period
    and breakdown value with a positive denominator and a known numerator.

    `database` is where the fact aggregates are read from (CLV:CAC reads acquisition spend and
    acquisitions there); the current-state tables are always those of `cc`.
    """
    if measure not in PERIOD_MEASURES:
        raise ValueError(f"unknown period measure `{measure}`; known: {', '.join(PERIOD_MEASURES)}")
    if grain != "all" and grain not in _GRAINS:
        raise ValueError(f"unknown grain `{grain}`; valid: {', '.join([*_GRAINS, 'all'])}")
    if measure in ("retained", "churned"):
        inner = _retention_sql(measure == "retained", by, grain, start, end)
    elif measure == "separations":
        inner = _attrition_sql(by, grain, start, end)
    elif measure == "lifetime_value":
        inner = _lifetime_value_sql(by, grain, start, end)
    else:
        inner = _lifetime_value_to_cac_sql(by, grain, start, end, database)
    outputs = ["period", *[f"nullIf({d}, '') AS {d}" for d in by]]
    outputs += ["numerator", "denominator", f"{scale!r} * numerator / denominator AS value"]
    order = ", ".join(["period", *by])
    return (
        "SELECT\n"
        f"{_INDENT}{_lines(outputs, 1)}\n"
        "FROM (\n"
        f"{_INDENT}{inner.replace(chr(10), chr(10) + _INDENT)}\n"
        ")\n"
        # A period without a known margin has no lifetime value.
        "WHERE denominator > 0 AND numerator IS NOT NULL\n"
        f"ORDER BY {order}"
    )
