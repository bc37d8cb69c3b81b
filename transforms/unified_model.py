"""The unified contact-centre model (database `cc`) as plain Python data.

This module is the single description of the contract in ARCHITECTURE.md, section "Unified
model": every table, its columns with their ClickHouse types, its primary key and the allowed
values of its enumerated columns. The DDL generator, the files source, the vendor mappings and
the KPI catalogue all read it, so a column is renamed in exactly one place (and never without
changing the contract on purpose).

Conventions, as the contract states them: times are `DateTime64(3, 'UTC')`, durations `Float64`
seconds (names end in `_s`), flags `UInt8` (0 or 1). A column is nullable where the contract says
so or where a source may not know the value (an abandoned call has no agent, an engagement survey
has no contact). Every table ends with `source` (the vendor, or `files`) and `updated_at` (the
record's version: the newest one wins in the current-state tables).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

__all__ = [
    "AGENT_STATES",
    "CHANNELS",
    "COST_CHANNELS",
    "COST_SCOPES",
    "DATABASE",
    "DIRECTIONS",
    "SCHEDULE_ACTIVITIES",
    "SURVEY_KINDS",
    "TABLES",
    "Column",
    "Table",
    "UnknownTableError",
    "table",
    "table_names",
]

DATABASE = "cc"

DATETIME = "DateTime64(3, 'UTC')"
STRING = "String"
FLOAT = "Float64"
FLAG = "UInt8"
COUNT = "UInt16"

CHANNELS: tuple[str, ...] = ("voice", "chat", "email", "messaging", "social")
DIRECTIONS: tuple[str, ...] = ("inbound", "outbound")
AGENT_STATES: tuple[str, ...] = (
    "available",
    "on_contact",
    "acw",
    "break",
    "training",
    "meeting",
    "offline",
    "other",
)
SCHEDULE_ACTIVITIES: tuple[str, ...] = (
    "on_queue",
    "break",
    "lunch",
    "training",
    "meeting",
    "off",
    "other",
)
SURVEY_KINDS: tuple[str, ...] = ("csat", "nps", "ces", "esat", "engagement")
COST_SCOPES: tuple[str, ...] = ("service", "acquisition")
# A cost that no single channel carries (a shared platform licence) is booked on `all`, so the
# cost key never holds a null.
COST_CHANNELS: tuple[str, ...] = (*CHANNELS, "all")


@dataclass(frozen=True)
class Column:
    """One column of a unified table.

    `type` is the ClickHouse base type; `nullable` and `low_cardinality` wrap it, and
    `clickhouse_type` spells the full type. `allowed_values` is empty unless the column is an
    enumeration. `minimum` and `maximum` bound numeric columns where the domain does (a duration
    is never negative, a percentage stays within 0..100).
    """

    name: str
    type: str
    nullable: bool = False
    low_cardinality: bool = False
    allowed_values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    description: str = ""

    @property
    def clickhouse_type(self) -> str:
        """The full ClickHouse type, e.g. `LowCardinality(Nullable(String))`."""
        spelled = f"Nullable({self.type})" if self.nullable else self.type
        return f"LowCardinality({spelled})" if self.low_cardinality else spelled


@dataclass(frozen=True)
class Table:
    """One table of the unified model: its columns in order and its primary key."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    description: str = ""
    _by_name: Mapping[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {column.name: column for column in self.columns}
        if len(by_name) != len(self.columns):
            raise ValueError(f"table `{self.name}` lists a column twice")
        missing = [key for key in self.primary_key if key not in by_name]
        if missing:
            raise ValueError(f"table `{self.name}`: primary key columns {missing} are not columns")
        # frozen dataclass: the index is derived once, here, and never reassigned
        object.__setattr__(self, "_by_name", MappingProxyType(by_name))

    @property
    def column_names(self) -> tuple[str, ...]:
        """The column names in table order."""
        return tuple(column.name for column in self.columns)

    def without_columns(self, names: Iterable[str]) -> Table:
        """This table as it was before the columns `names` were added to the contract."""
        dropped = set(names)
        return replace(self, columns=tuple(c for c in self.columns if c.name not in dropped))

    def column(self, name: str) -> Column:
        """Return the column called `name`, or raise `KeyError` naming the valid columns."""
        try:
            return self._by_name[name]
        except KeyError:
            valid = ", ".join(self.column_names)
            raise KeyError(
                f"table `{self.name}` has no column `{name}`; columns: {valid}"
            ) from None


class UnknownTableError(KeyError):
    """Raised by `table()` for a name that is not a unified table."""

    def __str__(self) -> str:
        # KeyError would quote the whole message; show it as written
        return str(self.args[0])


def _time(name: str, *, nullable: bool = False, description: str = "") -> Column:
    return Column(name, DATETIME, nullable=nullable, description=description)


def _duration(name: str, description: str = "") -> Column:
    return Column(name, FLOAT, minimum=0.0, description=description)


def _flag(name: str, *, nullable: bool = False, description: str = "") -> Column:
    return Column(name, FLAG, nullable=nullable, description=description)


def _id(name: str, *, nullable: bool = False, description: str = "") -> Column:
    return Column(name, STRING, nullable=nullable, description=description)


def _dimension(
    name: str,
    allowed_values: tuple[str, ...] = (),
    *,
    nullable: bool = False,
    description: str = "",
) -> Column:
    return Column(
        name,
        STRING,
        nullable=nullable,
        low_cardinality=True,
        allowed_values=allowed_values,
        description=description,
    )


def _amount(name: str, *, nullable: bool = False, description: str = "") -> Column:
    return Column(name, FLOAT, nullable=nullable, description=description)


_VERSION_COLUMNS = (
    _dimension("source", description="vendor the record came from, or `files`"),
    _time("updated_at", description="version of the record; the newest one wins"),
)


def _table(name: str, primary_key: tuple[str, ...], description: str, *columns: Column) -> Table:
    return Table(name, (*columns, *_VERSION_COLUMNS), primary_key, description)


_CONTACTS = _table(
    "contacts",
    ("contact_id", "leg"),
    "one row per contact leg offered to a queue or handled by an agent",
    _id("contact_id"),
    Column("leg", COUNT, minimum=1, description="1 for the first leg; a transfer adds a leg"),
    _dimension("channel", CHANNELS),
    _dimension("direction", DIRECTIONS),
    _id("customer_id", nullable=True, description="null for an unidentified customer"),
    _id("agent_id", nullable=True, description="null when no agent handled the leg"),
    _dimension("skill", nullable=True),
    _dimension("skill_group", nullable=True),
    _dimension("reason", nullable=True, description="contact reason or wrap-up code"),
    _time("offered_at"),
    _time("answered_at", nullable=True, description="null if not answered"),
    _time("ended_at", nullable=True, description="null while the contact is open"),
    _duration("wait_s"),
    _duration("talk_s"),
    _duration("hold_s"),
    _duration("acw_s", "after-contact work"),
    _flag("abandoned"),
    _flag("transferred"),
    _flag("escalated"),
    _flag("resolved_first_contact", nullable=True, description="null until it is known"),
)

_RESPONSES = _table(
    "responses",
    ("response_id",),
    "one row per agent reply in a digital conversation",
    _id("response_id"),
    _id("contact_id"),
    _dimension("channel", CHANNELS),
    _id("agent_id"),
    _dimension("skill", nullable=True),
    _dimension("skill_group", nullable=True),
    _time("customer_message_at", description="the customer message this reply answers"),
    _time("replied_at"),
    _duration("response_s"),
    _flag("is_first_response"),
)

# Measures about an agent rather than a contact have no skill; they are broken down by the agent's
# skill group and primary channel, which the transform copies from the employee record.
_AGENT_DIMENSIONS = (
    _dimension("skill_group", nullable=True, description="the agent's skill group (HRIS)"),
    _dimension("channel", CHANNELS, nullable=True, description="the agent's primary channel"),
)

_AGENT_STATES = _table(
    "agent_states",
    ("agent_id", "started_at"),
    "one row per agent state interval",
    _id("agent_id"),
    _dimension("state", AGENT_STATES),
    _time("started_at"),
    _time("ended_at", nullable=True, description="null while the agent is still in the state"),
    *_AGENT_DIMENSIONS,
)

_SCHEDULES = _table(
    "schedules",
    ("agent_id", "starts_at"),
    "one row per scheduled activity of an agent (workforce management)",
    _id("agent_id"),
    _dimension("activity", SCHEDULE_ACTIVITIES),
    _time("starts_at"),
    _time("ends_at"),
    *_AGENT_DIMENSIONS,
)

_SURVEYS = _table(
    "surveys",
    ("response_id",),
    "one row per survey answer (customer or employee)",
    _id("response_id"),
    _dimension("kind", SURVEY_KINDS),
    _amount("score"),
    _amount("scale_min"),
    _amount("scale_max"),
    _id("contact_id", nullable=True, description="null for a survey not tied to a contact"),
    _id("customer_id", nullable=True),
    _id("agent_id", nullable=True),
    _dimension("channel", CHANNELS, nullable=True),
    _dimension("skill", nullable=True),
    _dimension("skill_group", nullable=True),
    _time("responded_at"),
)

# Added by migration 7; a vendor that cannot tell which surveys it sent (Delighted) leaves no
# rows here, and its answers still count in `surveys`.
_SURVEY_INVITATIONS = _table(
    "survey_invitations",
    ("invitation_id",),
    "one row per survey sent (a Zendesk rating offered), answered or not",
    _id("invitation_id", description="the survey's id; its answer in `surveys` has the same id"),
    _dimension("kind", SURVEY_KINDS),
    _id("contact_id", nullable=True, description="null for a survey not tied to a contact"),
    _id("customer_id", nullable=True),
    _id("agent_id", nullable=True),
    _dimension("channel", CHANNELS, nullable=True),
    _dimension("skill", nullable=True),
    _dimension("skill_group", nullable=True),
    _time("sent_at"),
    _time("responded_at", nullable=True, description="null until the survey is answered"),
)

_QA_EVALUATIONS = _table(
    "qa_evaluations",
    ("evaluation_id",),
    "one row per quality-assurance review of a contact",
    _id("evaluation_id"),
    _id("contact_id", nullable=True),
    _id("agent_id"),
    _dimension("channel", CHANNELS, nullable=True),
    _dimension("skill", nullable=True),
    Column("score_pct", FLOAT, minimum=0.0, maximum=100.0),
    Column("script_items_required", COUNT),
    Column("script_items_met", COUNT),
    _flag("is_calibration"),
    _time("evaluated_at"),
)

_CUSTOMERS = _table(
    "customers",
    ("customer_id",),
    "one row per customer (CRM)",
    _id("customer_id"),
    _time("acquired_at", nullable=True, description="null when the CRM does not know it"),
    _dimension("acquisition_channel", nullable=True, description="marketing channel, free text"),
    _time("churned_at", nullable=True, description="null while the customer stays"),
    _dimension("segment", nullable=True),
)

_REVENUE = _table(
    "revenue",
    ("customer_id", "occurred_at"),
    "one row per revenue event of a customer",
    _id("customer_id"),
    _time("occurred_at"),
    _amount("amount"),
    _amount("gross_margin", nullable=True),
)

_EMPLOYEES = _table(
    "employees",
    ("agent_id",),
    "one row per agent (HRIS), matched to the contact systems' agent ids",
    _id("agent_id"),
    _id("employee_id", nullable=True),
    _id("email", nullable=True),
    _time("hired_at"),
    _time("terminated_at", nullable=True, description="null while employed"),
    _flag("termination_voluntary", nullable=True, description="null while employed"),
    _dimension("skill_group", nullable=True),
    _dimension("primary_channel", CHANNELS, nullable=True),
    _amount("hourly_cost", nullable=True),
)

_COSTS = _table(
    "costs",
    ("period_start", "scope", "channel"),
    "one row per cost period, scope and channel",
    _time("period_start"),
    _time("period_end"),
    _dimension("scope", COST_SCOPES),
    _dimension("channel", COST_CHANNELS),
    _amount("amount"),
)

TABLES: Mapping[str, Table] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            _CONTACTS,
            _RESPONSES,
            _AGENT_STATES,
            _SCHEDULES,
            _SURVEYS,
            _QA_EVALUATIONS,
            _CUSTOMERS,
            _REVENUE,
            _EMPLOYEES,
            _COSTS,
            _SURVEY_INVITATIONS,
        )
    }
)


def table_names() -> tuple[str, ...]:
    """The names of the unified tables, in contract order."""
    return tuple(TABLES)


def table(name: str) -> Table:
    """Return the unified table called `name`.

    Raises `UnknownTableError` (a `KeyError`) that lists the valid names.
    """
    try:
        return TABLES[name]
    except KeyError:
        valid = ", ".join(TABLES)
        raise UnknownTableError(
            f"`{name}` is not a table of the unified model; choose one of: {valid}"
        ) from None
