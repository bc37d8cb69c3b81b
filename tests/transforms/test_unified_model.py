"""The unified model holds the contract of ARCHITECTURE.md, section "Unified model"."""

from __future__ import annotations

import pytest

from transforms import unified_model as model
from transforms.unified_model import TABLES, Column, Table, UnknownTableError, table

CONTRACT_TABLES = (
    "contacts",
    "responses",
    "agent_states",
    "schedules",
    "surveys",
    "qa_evaluations",
    "customers",
    "revenue",
    "employees",
    "costs",
    "survey_invitations",
)

ALL_COLUMNS = [
    pytest.param(spec, column, id=f"{spec.name}.{column.name}")
    for spec in TABLES.values()
    for column in spec.columns
]


def test_every_contract_table_is_described() -> None:
    assert model.table_names() == CONTRACT_TABLES


@pytest.mark.parametrize(
    ("name", "primary_key"),
    [
        ("contacts", ("contact_id", "leg")),
        ("responses", ("response_id",)),
        ("agent_states", ("agent_id", "started_at")),
        ("schedules", ("agent_id", "starts_at")),
        ("surveys", ("response_id",)),
        ("qa_evaluations", ("evaluation_id",)),
        ("customers", ("customer_id",)),
        ("revenue", ("customer_id", "occurred_at")),
        ("employees", ("agent_id",)),
        ("costs", ("period_start", "scope", "channel")),
        ("survey_invitations", ("invitation_id",)),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_primary_keys(name: str, primary_key: tuple[str, ...]) -> None:
    assert table(name).primary_key == primary_key


@pytest.mark.parametrize("spec", TABLES.values(), ids=lambda spec: spec.name)
def test_every_table_ends_with_source_and_version(spec: Table) -> None:
    assert spec.column_names[-2:] == ("source", "updated_at")
    assert spec.column("source").clickhouse_type == "LowCardinality(String)"
    assert spec.column("updated_at").clickhouse_type == "DateTime64(3, 'UTC')"


@pytest.mark.parametrize("spec", TABLES.values(), ids=lambda spec: spec.name)
def test_primary_key_columns_are_never_null(spec: Table) -> None:
    assert not any(spec.column(name).nullable for name in spec.primary_key)


@pytest.mark.parametrize(("spec", "column"), ALL_COLUMNS)
def test_column_types_follow_the_conventions(spec: Table, column: Column) -> None:
    if column.name.endswith("_at") or column.name in ("period_start", "period_end"):
        assert column.type == "DateTime64(3, 'UTC')"
    if column.name.endswith("_s"):
        assert (column.type, column.minimum) == ("Float64", 0.0)
    if column.type == "UInt8":
        assert column.name.startswith(("is_", "resolved_", "termination_")) or column.name in (
            "abandoned",
            "transferred",
            "escalated",
        )
    if column.allowed_values:
        assert column.low_cardinality


@pytest.mark.parametrize(
    ("qualified_name", "clickhouse_type"),
    [
        ("contacts.contact_id", "String"),
        ("contacts.leg", "UInt16"),
        ("contacts.channel", "LowCardinality(String)"),
        ("contacts.skill", "LowCardinality(Nullable(String))"),
        ("contacts.answered_at", "Nullable(DateTime64(3, 'UTC'))"),
        ("contacts.resolved_first_contact", "Nullable(UInt8)"),
        ("contacts.wait_s", "Float64"),
        ("customers.churned_at", "Nullable(DateTime64(3, 'UTC'))"),
        ("employees.terminated_at", "Nullable(DateTime64(3, 'UTC'))"),
        ("agent_states.state", "LowCardinality(String)"),
        ("schedules.activity", "LowCardinality(String)"),
        ("surveys.kind", "LowCardinality(String)"),
        ("costs.scope", "LowCardinality(String)"),
    ],
    ids=lambda value: value if "." in value else None,
)
def test_clickhouse_types(qualified_name: str, clickhouse_type: str) -> None:
    table_name, column_name = qualified_name.split(".")
    assert table(table_name).column(column_name).clickhouse_type == clickhouse_type


@pytest.mark.parametrize(
    ("qualified_name", "allowed_values"),
    [
        ("contacts.channel", ("voice", "chat", "email", "messaging", "social")),
        ("contacts.direction", ("inbound", "outbound")),
        (
            "agent_states.state",
            ("available", "on_contact", "acw", "break", "training", "meeting", "offline", "other"),
        ),
        (
            "schedules.activity",
            ("on_queue", "break", "lunch", "training", "meeting", "off", "other"),
        ),
        ("surveys.kind", ("csat", "nps", "ces", "esat", "engagement")),
        ("costs.scope", ("service", "acquisition")),
        ("costs.channel", ("voice", "chat", "email", "messaging", "social", "all")),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_enumerations(qualified_name: str, allowed_values: tuple[str, ...]) -> None:
    table_name, column_name = qualified_name.split(".")
    assert table(table_name).column(column_name).allowed_values == allowed_values


def test_an_unknown_table_names_the_valid_ones() -> None:
    with pytest.raises(UnknownTableError) as raised:
        table("calls")
    message = str(raised.value)
    assert "`calls`" in message
    assert all(name in message for name in CONTRACT_TABLES)


def test_an_unknown_column_names_the_valid_ones() -> None:
    with pytest.raises(KeyError, match="wait_s"):
        table("contacts").column("queue_time")


@pytest.mark.parametrize(
    ("columns", "primary_key", "problem"),
    [
        ((Column("a", "String"), Column("a", "String")), ("a",), "twice"),
        ((Column("a", "String"),), ("b",), "not columns"),
    ],
    ids=["duplicate-column", "key-not-a-column"],
)
def test_a_malformed_table_is_refused(
    columns: tuple[Column, ...], primary_key: tuple[str, ...], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        Table("broken", columns, primary_key)


def test_the_model_is_frozen() -> None:
    with pytest.raises(AttributeError):
        table("contacts").name = "calls"  # type: ignore[misc]
    with pytest.raises(TypeError):
        TABLES["calls"] = table("contacts")  # type: ignore[index]
