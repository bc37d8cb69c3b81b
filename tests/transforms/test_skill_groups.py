"""Skill groups of contact legs no agent took: stated by Assembled, correctable, re-derived.

On 7 June 2031 (a day no other test uses) two voice legs wait in the queue `Billing`: one is
answered by an agent of the group `Agents' own`, the other is abandoned. They are mapped before
any vendor has said which group serves `Billing`, so the abandoned one has no skill group. Then
an Assembled load states that `Tier 1` serves `Billing` (two agents in `Tier 1`, one in `Tier 2`,
so the majority wins), and later a user corrects it to `Retention`.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest

from ccpulse.changes import apply_batch
from ccpulse.schema import apply_generated, apply_migrations
from ccpulse.settings import WarehouseSettings
from ccpulse.skill_groups import record_stated_skill_groups, refresh_queue_groups
from ccpulse.warehouse import Warehouse, open_warehouse
from kpi_views.catalog import CATALOG
from kpi_views.generator import kpi_query
from tests.kpis.records import to_arrow
from transforms.skill_groups import TABLE

DAY = dt.date(2031, 6, 7)
OFFERED = dt.datetime(2031, 6, 7, 10, tzinfo=dt.UTC)
AGENTS_TABLE = "`raw`.`raw_assembled___agents`"


def _leg(contact_id: str, skill: str, agent: str | None) -> dict[str, Any]:
    answered = OFFERED + dt.timedelta(seconds=12) if agent else None
    return {
        "contact_id": contact_id,
        "leg": 1,
        "channel": "voice",
        "direction": "inbound",
        "customer_id": None,
        "agent_id": agent,
        "skill": skill,
        "skill_group": "Agents' own" if agent else None,
        "reason": None,
        "offered_at": OFFERED,
        "answered_at": answered,
        "ended_at": answered + dt.timedelta(seconds=100) if answered else None,
        "wait_s": 12.0 if agent else 40.0,
        "talk_s": 100.0 if agent else 0.0,
        "hold_s": 0.0,
        "acw_s": 0.0,
        "abandoned": 0 if agent else 1,
        "transferred": 0,
        "escalated": 0,
        "resolved_first_contact": None,
        "source": "genesys",
        "updated_at": dt.datetime(2031, 6, 8, tzinfo=dt.UTC),
    }


def _state_groups(warehouse: Warehouse, load_id: str, agents: list[tuple[str, str]]) -> None:
    """One Assembled agents load: (team, queue) per agent."""
    warehouse.command(
        f"CREATE TABLE IF NOT EXISTS {AGENTS_TABLE} (id String, email Nullable(String), "
        "teams Nullable(String), queues Nullable(String), deleted Nullable(Bool), "
        "_dlt_load_id String) ENGINE = MergeTree ORDER BY id"
    )
    for number, (team, queue) in enumerate(agents):
        warehouse.command(
            f"INSERT INTO {AGENTS_TABLE} (id, teams, queues, deleted, _dlt_load_id) VALUES "
            "({id:String}, {teams:String}, {queues:String}, false, {load:String})",
            parameters={
                "id": f"{load_id}-{number}",
                "teams": json.dumps([team]),
                "queues": json.dumps([queue]),
                "load": load_id,
            },
        )
    assert record_stated_skill_groups(warehouse, "assembled", load_id)


def _offered_by_group(warehouse: Warehouse, skill: str) -> dict[str, int]:
    query = kpi_query(CATALOG["contacts_offered"], ("skill", "skill_group"), "day", DAY, DAY)
    result = warehouse.query(query.sql())
    rows = [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    return {row["skill_group"]: row["value"] for row in rows if row["skill"] == skill}


@pytest.fixture(scope="module")
def mapped(embedded_settings: WarehouseSettings) -> tuple[Warehouse, str]:
    """Both legs mapped before any group is known; the queue's name (unique to this run)."""
    warehouse = open_warehouse(embedded_settings)
    apply_migrations(warehouse)
    apply_generated(warehouse)
    skill = f"Billing {uuid.uuid4().hex[:6]}"
    legs = [
        _leg(f"{skill}-answered", skill, "ann@example.test"),
        _leg(f"{skill}-lost", skill, None),
    ]
    apply_batch(warehouse, "contacts", to_arrow("contacts", legs))
    return warehouse, skill


def test_skill_groups_follow_statements_and_corrections(mapped: tuple[Warehouse, str]) -> None:
    warehouse, skill = mapped
    # A leg without a known group is left out of every by-skill-group figure.
    assert _offered_by_group(warehouse, skill) == {"Agents' own": 1}

    teams = [("Tier 1", skill), ("Tier 2", skill), ("Tier 1", skill)]
    _state_groups(warehouse, "1970000000.5", teams)
    stated = warehouse.rows(
        f"SELECT skill_group, source FROM {TABLE} FINAL WHERE skill = '{skill}'"
    )
    assert stated == [("Tier 1", "assembled")]
    assert refresh_queue_groups(warehouse) == 1
    # The handled leg keeps its agent's group; the abandoned one moved, and was counted once.
    assert _offered_by_group(warehouse, skill) == {"Agents' own": 1, "Tier 1": 1}
    assert refresh_queue_groups(warehouse) == 0

    warehouse.command(
        f"INSERT INTO {TABLE} (skill, skill_group, source) VALUES ({{skill:String}}, "
        "'Retention', 'manual')",
        parameters={"skill": skill},
    )
    assert refresh_queue_groups(warehouse) == 1
    assert _offered_by_group(warehouse, skill) == {"Agents' own": 1, "Retention": 1}

    # A later statement of the vendor does not undo the user's correction.
    _state_groups(warehouse, "1970000100.5", [("Tier 2", skill)])
    assert refresh_queue_groups(warehouse) == 0
    assert _offered_by_group(warehouse, skill) == {"Agents' own": 1, "Retention": 1}


def test_a_vendor_that_states_no_groups_records_nothing(mapped: tuple[Warehouse, str]) -> None:
    warehouse, _ = mapped
    assert not record_stated_skill_groups(warehouse, "genesys", "1970000200.5")
