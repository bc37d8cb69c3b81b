"""Synthetic unified contacts, generated inside the engine and staged to Parquet.

Contact `n` (a row number) is a pure function of `n`, of the size of the set it belongs to and of
its revision, so any measurement can regenerate a contact exactly as it was loaded (a
redelivery), a later revision of it (an update), or contacts that come after the set (new ones),
without keeping them in Python. Offer times rise with `n` over a window of days from `START`,
so a set is loaded in time order, as a connector delivers it. Every eighth row is the second leg
of the contact before it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ccpulse.warehouse import Warehouse
from transforms.unified_model import TABLES

__all__ = ["START", "WINDOW_DAYS", "contacts_select", "stage"]

START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
WINDOW_DAYS = 90
AGENTS = 400
SKILLS = 12
_CHANNELS = "['voice', 'voice', 'chat', 'email', 'messaging', 'social']"
_DAY_MS = 86_400_000


def contacts_select(
    size: int,
    first: int,
    count: int,
    revision: str = "0",
    where: str = "",
    days: int = WINDOW_DAYS,
) -> str:
    """SELECT of contacts `first` to `first + count - 1` of a set of `size` offered over `days`
    days, in the unified shape.

    `revision` is an SQL expression of `n`: revision r > 0 adds 10 r seconds of talk and 5 r of
    wrap-up, settles first-contact resolution and moves `updated_at` on by r hours. `where`
    keeps some rows only.
    """
    start = START.strftime("%Y-%m-%d %H:%M:%S")
    customers = max(size // 4, 1)
    # one hash per row, sliced into independent fields; a second one for the rest
    fields = [
        "concat('c', toString(n - (n % 8 = 7))) AS contact_id",
        "toUInt16(if(n % 8 = 7, 2, 1)) AS leg",
        f"{_CHANNELS}[1 + h % 6] AS channel",
        "if(intDiv(h, 6) % 10 < 9, 'inbound', 'outbound') AS direction",
        f"concat('u', toString(intDiv(h, 60) % {customers})) AS customer_id",
        "if(is_abandoned, NULL, concat('a', toString(agent))) AS agent_id",
        f"concat('skill', toString(intDiv(g, 40000) % {SKILLS})) AS skill",
        "concat('tier', toString(agent % 4)) AS skill_group",
        "CAST(NULL AS Nullable(String)) AS reason",
        f"toDateTime64('{start}', 3, 'UTC') "
        f"+ toIntervalMillisecond(intDiv(n * {days * _DAY_MS}, {size})) AS offered_at",
        "if(is_abandoned, NULL, offered_at + toIntervalMillisecond(wait_s * 1000)) AS answered_at",
        "offered_at + toIntervalMillisecond((wait_s + talk_s + hold_s) * 1000) AS ended_at",
        "(intDiv(g, 480000) % 3000) / 10 AS wait_s",
        "if(is_abandoned, 0, (intDiv(g, 1440000000) % 9000) / 10 + 10 * r) AS talk_s",
        "if(intDiv(h, 6000000) % 5 = 0, (intDiv(h, 30000000) % 1200) / 10, 0) AS hold_s",
        "(intDiv(h, 36000000000) % 1800) / 10 + 5 * r AS acw_s",
        "toUInt8(is_abandoned) AS abandoned",
        "toUInt8(intDiv(h, 64800000000000) % 10 = 0) AS transferred",
        "toUInt8(intDiv(h, 648000000000000) % 25 = 0) AS escalated",
        "if(r > 0, toUInt8((n + r) % 2), "
        "if(intDiv(g, 13) % 4 = 0, NULL, toUInt8(intDiv(g, 52) % 10 < 7))) "
        "AS resolved_first_contact",
        "'bench' AS source",
        f"toDateTime64('{start}', 3, 'UTC') + toIntervalDay({days + 1}) "
        "+ toIntervalHour(r) AS updated_at",
    ]
    helpers = [
        "cityHash64(n) AS h",
        "cityHash64(h) AS g",
        "g % 100 < 7 AS is_abandoned",
        f"intDiv(g, 100) % {AGENTS} AS agent",
        f"toUInt32({revision}) AS r",
    ]
    columns = ", ".join(TABLES["contacts"].column_names)
    condition = f"WHERE {where}\n" if where else ""
    return (
        f"SELECT {columns}\n"
        "FROM (\n"
        f"    SELECT {', '.join(helpers + fields)}\n"
        f"    FROM (SELECT number AS n FROM numbers({int(first)}, {int(count)}))\n"
        f"    {condition}"
        ")"
    )


def stage(warehouse: Warehouse, path: Path, select: str) -> None:
    """Write the rows of `select` to the Parquet file `path`, replacing it."""
    warehouse.command(
        f"INSERT INTO FUNCTION file('{path}', 'Parquet')\n{select}",
        settings={"engine_file_truncate_on_insert": 1},
    )
