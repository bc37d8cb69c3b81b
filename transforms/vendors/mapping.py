"""The shape of a vendor mapping, and the registry of them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

__all__ = [
    "MAPPING_COLUMNS",
    "TEXT",
    "TIMESTAMP",
    "WHOLE",
    "RawTables",
    "VendorMapping",
    "mappings_for",
    "raw_table",
    "reply_waits",
]

TEXT = "Nullable(String)"
TIMESTAMP = "Nullable(DateTime64(6, 'UTC'))"
WHOLE = "Nullable(Int64)"

MAPPING_COLUMNS = ("is_deleted", "reject_reason", "raw_payload")
"""Columns every mapping SELECT adds to the unified table's columns."""


@dataclass(frozen=True)
class VendorMapping:
    """One unified table filled from one vendor's raw records."""

    vendor: str
    table: str
    select: Callable[[str, RawTables], str]
    """Given a dlt load id (already checked to be a plain decimal) and the raw tables that
    exist, the mapping SELECT."""
    reads: tuple[str, ...]
    """The raw tables whose rows in that load trigger the mapping."""
    optional_columns: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Raw table -> {column: ClickHouse type} the mapping reads although a load may carry no
    value for it yet. dlt creates a column only when a value first arrives, so these are added
    beforehand, with the type dlt itself would give them."""


@dataclass(frozen=True)
class RawTables:
    """The raw tables of one vendor that exist in the warehouse.

    dlt creates a table only when its first row arrives: a vendor that never deleted a ticket
    has no deleted-tickets table. A mapping reads such a table through `relation`, which stands
    in an empty relation of the columns it needs until the table exists.
    """

    vendor: str
    present: frozenset[str]

    def relation(self, table: str, columns: str) -> str:
        """The raw table, or `(SELECT <typed nulls> WHERE 0)` with `columns` ("id String, ...")."""
        if table in self.present:
            return raw_table(self.vendor, table)
        typed = ", ".join(
            f"CAST(NULL AS Nullable({type_})) AS {name}"
            for name, type_ in (column.strip().split(" ", 1) for column in columns.split(","))
        )
        return f"(SELECT {typed} WHERE 0)"


def raw_table(vendor: str, table: str) -> str:
    """The quoted raw table dlt loads a vendor resource into."""
    return f"`raw`.`raw_{vendor}___{table}`"


def reply_waits(timeline: str) -> str:
    """SQL of the agent replies in a conversation, each `(replied at, waited)` in milliseconds.

    `timeline` is an expression of type `Array(Tuple(Int64, UInt8))`: each message's time in
    milliseconds and 1 when the customer wrote it, 0 when an agent did, in time order. The walk
    remembers when the customer started waiting (the earliest unanswered customer message); an
    agent message while the customer waits is a reply, timed from that moment. Agent messages
    while nobody waits (a follow-up, a second reply) are not replies.
    """
    return (
        "arrayFold((acc, m) -> if(m.2 = 1, if(acc.1 < 0, (m.1, acc.2), acc), "
        "if(acc.1 >= 0, (toInt64(-1), arrayPushBack(acc.2, (m.1, m.1 - acc.1))), acc)), "
        f"{timeline}, (toInt64(-1), CAST([], 'Array(Tuple(Int64, Int64))'))).2"
    )


def mappings_for(vendor: str) -> list[VendorMapping]:
    """The mappings of one vendor (none for a vendor whose records map to no fact yet)."""
    from transforms.vendors import (
        assembled,
        bamboohr,
        delighted,
        genesys,
        hubspot,
        intercom,
        zendesk,
        zendesk_qa,
    )

    registry = {
        "bamboohr": bamboohr.MAPPINGS,
        "assembled": assembled.MAPPINGS,
        "hubspot": hubspot.MAPPINGS,
        "genesys": genesys.MAPPINGS,
        "intercom": intercom.MAPPINGS,
        "zendesk": zendesk.MAPPINGS,
        "delighted": delighted.MAPPINGS,
        "zendesk_qa": zendesk_qa.MAPPINGS,
    }
    return list(registry.get(vendor, []))
