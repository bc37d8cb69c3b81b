"""Agents matched across systems: the user records vendors state, corrections, `cc.agents`.

On 10 October 2031 (a day no other test uses) Genesys delivers calls handled by one user whose
Genesys e-mail is an alias; the HRIS knows the agent by another address. The first load states
the Genesys user records; then a user maps the Genesys user id to the HRIS address by hand,
which moves calls transformed afterwards (and KPIs by agent) to that agent; removing the
correction restores what Genesys states for calls transformed after that.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from typing import Any

import pytest

from ccpulse.agent_identities import record_stated_agent_identities
from ccpulse.schema import apply_generated, apply_migrations
from ccpulse.settings import WarehouseSettings
from ccpulse.transform import transform_pending
from ccpulse.warehouse import Warehouse, open_warehouse
from kpi_views.catalog import CATALOG
from kpi_views.generator import kpi_query
from transforms.agent_identities import AGENTS_VIEW, EMAIL, TABLE, agent_id, agent_identity_join
from transforms.customer_identities import normalized_email

DAY = dt.date(2031, 10, 10)
CONVERSATIONS = "`raw`.`raw_genesys___conversations`"
USERS = "`raw`.`raw_genesys___users`"
LOADS = "`raw`.`raw_genesys____dlt_loads`"


@pytest.fixture(scope="module")
def warehouse(embedded_settings: WarehouseSettings) -> Warehouse:
    found = open_warehouse(embedded_settings)
    apply_migrations(found)
    apply_generated(found)
    for ddl in (
        f"CREATE TABLE IF NOT EXISTS {CONVERSATIONS} (conversation_id String, "
        "conversation_start DateTime64(6, 'UTC'), originating_direction Nullable(String), "
        "participants Nullable(String), _dlt_load_id String) "
        "ENGINE = MergeTree ORDER BY conversation_id",
        f"CREATE TABLE IF NOT EXISTS {USERS} (id String, email Nullable(String), "
        "department Nullable(String), _dlt_load_id String) ENGINE = MergeTree ORDER BY id",
        f"CREATE TABLE IF NOT EXISTS {LOADS} (load_id String, schema_name Nullable(String), "
        "status Int64, inserted_at DateTime64(6, 'UTC')) ENGINE = MergeTree ORDER BY load_id",
    ):
        found.command(ddl)
    return found


def _participants(user_id: str, hour: int) -> str:
    """A Genesys call offered at `hour` and handled by `user_id`: customer, queue, agent."""
    offered = dt.datetime.combine(DAY, dt.time(hour), dt.UTC)

    def iso(seconds: int) -> str:
        return (offered + dt.timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")

    def metrics(**values_s: int) -> list[dict[str, Any]]:
        return [{"name": name, "value": value * 1000} for name, value in values_s.items()]

    customer = {"purpose": "customer", "sessions": [{"mediaType": "voice", "segments": []}]}
    queue = {
        "purpose": "acd",
        "participantName": "Agent identities",
        "sessions": [
            {
                "segments": [{"segmentType": "interact", "segmentStart": iso(0)}],
                "metrics": metrics(tAnswered=10),
            }
        ],
    }
    agent = {
        "purpose": "agent",
        "userId": user_id,
        "sessions": [
            {
                "segments": [
                    {"segmentType": "interact", "segmentStart": iso(10), "segmentEnd": iso(190)},
                    {"segmentType": "wrapup", "segmentStart": iso(190)},
                ],
                "metrics": metrics(tTalk=180, tAcw=20),
            }
        ],
    }
    return json.dumps([customer, queue, agent])


def _genesys_load(
    warehouse: Warehouse,
    load_id: str,
    calls: list[tuple[str, str, int]],
    users: Sequence[tuple[str, str]] = (),
) -> None:
    """One Genesys load: (conversation id, user id, hour) per call, (id, e-mail) per user."""
    for conversation_id, user_id, hour in calls:
        warehouse.command(
            f"INSERT INTO {CONVERSATIONS} VALUES ({{id:String}}, {{start:DateTime64(6, 'UTC')}}, "
            "'inbound', {participants:String}, {load:String})",
            parameters={
                "id": conversation_id,
                "start": dt.datetime.combine(DAY, dt.time(hour), dt.UTC),
                "participants": _participants(user_id, hour),
                "load": load_id,
            },
        )
    for user_id, email in users:
        warehouse.command(
            f"INSERT INTO {USERS} VALUES "
            "({id:String}, {email:String}, 'Voice', {load:String})",
            parameters={"id": user_id, "email": email, "load": load_id},
        )
    warehouse.command(
        f"INSERT INTO {LOADS} VALUES ({{load:String}}, 'genesys', 0, now64(6))",
        parameters={"load": load_id},
    )
    assert transform_pending(warehouse, "genesys").loads == 1


def _agents(warehouse: Warehouse, run: str) -> dict[str, str]:
    rows = warehouse.rows(
        "SELECT contact_id, agent_id FROM cc.contacts FINAL "
        "WHERE startsWith(contact_id, {run:String})",
        {"run": run},
    )
    return {str(contact): str(agent) for contact, agent in rows}


def _handled_by_agent(warehouse: Warehouse, run: str) -> dict[str, int]:
    query = kpi_query(CATALOG["contacts_handled"], ("agent",), "day", DAY, DAY)
    rows = warehouse.rows(f"SELECT agent, value FROM ({query.sql()})")
    return {str(agent): int(value) for agent, value in rows if run in str(agent)}


def test_corrections_move_contacts_transformed_after_them(warehouse: Warehouse) -> None:
    run = uuid.uuid4().hex[:6]
    user = f"genesys-user-{run}"
    alias, hris = f"ann-{run}@alias.example", f"ann.lee-{run}@example.com"

    # The user record states its (capitalized) alias; the call takes the lowercase alias.
    _genesys_load(warehouse, "1970000600.5", [(f"{run}-1", user, 9)], [(user, alias.upper())])
    stated = warehouse.rows(
        f"SELECT system, value, agent_id, source FROM {TABLE} FINAL WHERE value = {{user:String}}",
        {"user": user},
    )
    assert stated == [("genesys", user, alias, "genesys")]
    assert _agents(warehouse, run) == {f"{run}-1": alias}
    listed = warehouse.rows(
        f"SELECT system_ids, has_employee_record FROM {AGENTS_VIEW} WHERE agent_id = {{a:String}}",
        {"a": alias},
    )
    assert listed == [([("genesys", user)], 0)]

    # A user maps the Genesys user to the HRIS address: the next call goes to that agent, the
    # first one keeps the agent it was transformed with, and KPIs by agent follow.
    warehouse.command(
        f"INSERT INTO {TABLE} (system, value, agent_id, source) "
        "VALUES ('genesys', {user:String}, {hris:String}, 'manual')",
        parameters={"user": user, "hris": hris},
    )
    _genesys_load(warehouse, "1970000700.5", [(f"{run}-2", user, 10)])
    assert _agents(warehouse, run) == {f"{run}-1": alias, f"{run}-2": hris}
    assert _handled_by_agent(warehouse, run) == {alias: 1, hris: 1}
    assert warehouse.rows(
        f"SELECT agent_id, system_ids FROM {AGENTS_VIEW} WHERE has(system_ids, ('genesys', "
        "{user:String}))",
        {"user": user},
    ) == [(hris, [("genesys", user)])]

    # A later statement by Genesys does not undo the correction.
    _genesys_load(warehouse, "1970000800.5", [(f"{run}-3", user, 11)], [(user, alias)])
    assert _agents(warehouse, run)[f"{run}-3"] == hris

    # Removing the correction restores what Genesys states, for calls transformed from then on.
    warehouse.command(
        f"DELETE FROM {TABLE} WHERE source = 'manual' AND value = {{user:String}}",
        parameters={"user": user},
    )
    _genesys_load(warehouse, "1970000900.5", [(f"{run}-4", user, 12)])
    assert _agents(warehouse, run) == {
        f"{run}-1": alias,
        f"{run}-2": hris,
        f"{run}-3": hris,
        f"{run}-4": alias,
    }
    assert _handled_by_agent(warehouse, run) == {alias: 2, hris: 2}


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        pytest.param("Shared-{run}@Example.com ", "ann-{run}@example.com", id="corrected"),
        pytest.param("bob-{run}@example.com", "bob-{run}@example.com", id="uncorrected"),
    ],
)
def test_addresses_of_sources_without_user_records_are_corrected_as_email(
    warehouse: Warehouse, address: str, expected: str
) -> None:
    run = uuid.uuid4().hex[:6]
    warehouse.command(
        f"INSERT INTO {TABLE} (system, value, agent_id, source) "
        "VALUES ({system:String}, {value:String}, {agent:String}, 'manual')",
        parameters={
            "system": EMAIL,
            "value": f"shared-{run}@example.com",
            "agent": f"ann-{run}@example.com",
        },
    )
    got = warehouse.scalar(
        f"SELECT {agent_id('record.email')}\n"
        "FROM (SELECT {email:String} AS email) AS record\n"
        f"{agent_identity_join(EMAIL, normalized_email('record.email'))}\n"
        "SETTINGS join_use_nulls = 1",
        {"email": address.format(run=run)},
    )
    assert got == expected.format(run=run)


@pytest.mark.parametrize(
    "vendor",
    [
        pytest.param("hubspot", id="crm"),
        pytest.param("delighted", id="surveys-by-email"),
        pytest.param("zendesk_qa", id="reviews-by-email"),
        pytest.param("intercom", id="admins-not-loaded-yet"),
    ],
)
def test_a_vendor_without_user_records_records_nothing(warehouse: Warehouse, vendor: str) -> None:
    before = warehouse.scalar(f"SELECT count() FROM {TABLE}")
    assert not record_stated_agent_identities(warehouse, vendor, "1970001000.5")
    assert warehouse.scalar(f"SELECT count() FROM {TABLE}") == before


def test_the_hris_address_is_the_anchor_a_manual_row_does_not_move(warehouse: Warehouse) -> None:
    """Employees are keyed by agent: a correction would leave the old row beside a new one, so a
    `manual` row for a BambooHR employee is ignored, in the mapping and in `cc.agents`."""
    run = uuid.uuid4().hex[:6]
    employee, address = f"bamboo-{run}", f"zoe-{run}@example.com"
    employees, loads = "`raw`.`raw_bamboohr___employees`", "`raw`.`raw_bamboohr____dlt_loads`"
    warehouse.command(
        f"CREATE TABLE IF NOT EXISTS {employees} (id String, work_email Nullable(String), "
        "hire_date Nullable(String), _dlt_load_id String) ENGINE = MergeTree ORDER BY id"
    )
    warehouse.command(
        f"CREATE TABLE IF NOT EXISTS {loads} (load_id String, schema_name Nullable(String), "
        "status Int64, inserted_at DateTime64(6, 'UTC')) ENGINE = MergeTree ORDER BY load_id"
    )
    warehouse.command(
        f"INSERT INTO {TABLE} (system, value, agent_id, source) "
        "VALUES ('bamboohr', {id:String}, {other:String}, 'manual')",
        parameters={"id": employee, "other": f"someone-else-{run}@example.com"},
    )
    load = "1970001100.5"
    warehouse.command(
        f"INSERT INTO {employees} (id, work_email, hire_date, _dlt_load_id) "
        "VALUES ({id:String}, {email:String}, '2030-02-01', {load:String})",
        parameters={"id": employee, "email": address.upper(), "load": load},
    )
    warehouse.command(
        f"INSERT INTO {loads} VALUES ({{load:String}}, 'bamboohr', 0, now64(6))",
        parameters={"load": load},
    )

    assert transform_pending(warehouse, "bamboohr").loads == 1

    assert warehouse.rows(
        "SELECT agent_id FROM cc.employees FINAL WHERE employee_id = {id:String}",
        {"id": employee},
    ) == [(address,)]
    assert warehouse.rows(
        f"SELECT agent_id, system_ids, has_employee_record FROM {AGENTS_VIEW} "
        "WHERE has(system_ids, ('bamboohr', {id:String}))",
        {"id": employee},
    ) == [(address, [("bamboohr", employee)], 1)]
