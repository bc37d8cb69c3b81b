"""Customers matched across systems: normalized identifiers, the CRM's statements, corrections.

On 9 September 2031 (a day no other test uses) a customer calls (Genesys gives the calling
number) and then writes a ticket (Zendesk gives the requester's e-mail); a second caller is
unknown to the CRM. Both legs are mapped before any CRM record has arrived, so they carry the
vendor's identifier. Then a HubSpot load states the first customer's phone and e-mail, and later
a user pairs the second caller's number with a CRM id by hand.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest

from ccpulse.changes import apply_batch
from ccpulse.customer_identities import record_stated_identities, refresh_contact_customers
from ccpulse.schema import apply_generated, apply_migrations
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import Warehouse, open_warehouse
from kpi_views.catalog import CATALOG
from kpi_views.generator import kpi_query
from tests.kpis.records import to_arrow
from transforms.customer_identities import (
    TABLE,
    customer_id,
    email_key,
    identity_join,
    normalized_email,
    normalized_phone,
    phone_key,
)

DAY = dt.date(2031, 9, 9)
CRM_CONTACTS = "`raw`.`raw_hubspot___contacts`"


@pytest.fixture(scope="module")
def warehouse(embedded_settings: WarehouseSettings) -> Warehouse:
    found = open_warehouse(embedded_settings)
    apply_migrations(found)
    apply_generated(found)
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("tel:+15550000001", "+15550000001", id="genesys-ani"),
        pytest.param("+1 (555) 000-0001", "+15550000001", id="formatted"),
        pytest.param("0044 20 7946 0000", "+442079460000", id="international-prefix"),
        pytest.param("tel: 0044 20 7946 0000", "+442079460000", id="ani-international-prefix"),
        pytest.param("anonymous", "", id="no-digits"),
        pytest.param(None, "", id="absent"),
    ],
)
def test_phone_numbers_are_normalized(
    warehouse: Warehouse, text: str | None, expected: str
) -> None:
    got = warehouse.scalar(f"SELECT {normalized_phone('{text:Nullable(String)}')}", {"text": text})
    assert got == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(" Ann.Lee@Example.COM ", "ann.lee@example.com", id="case-and-spaces"),
        pytest.param(None, "", id="absent"),
    ],
)
def test_email_addresses_are_normalized(
    warehouse: Warehouse, text: str | None, expected: str
) -> None:
    got = warehouse.scalar(f"SELECT {normalized_email('{text:Nullable(String)}')}", {"text": text})
    assert got == expected


def _resolve(warehouse: Warehouse, vendor: str, key: str, **values: str | None) -> str | None:
    """The customer id a mapping of `vendor` gives a record with `values` (`key` reads them)."""
    columns = ", ".join(f"{{{name}:Nullable(String)}} AS {name}" for name in values)
    return warehouse.scalar(
        f"SELECT {customer_id(vendor, key)}\n"
        f"FROM (SELECT {columns}) AS record\n"
        f"{identity_join(key)}\n"
        "SETTINGS join_use_nulls = 1",
        values,
    )


def _leg(contact_id: str, customer: str, channel: str, hour: int) -> dict[str, Any]:
    offered = dt.datetime.combine(DAY, dt.time(hour), dt.UTC)
    return {
        "contact_id": contact_id,
        "leg": 1,
        "channel": channel,
        "direction": "inbound",
        "customer_id": customer,
        "agent_id": "ann@example.test",
        "skill": "Identities",
        "skill_group": "Tier 1",
        "reason": None,
        "offered_at": offered,
        "answered_at": offered + dt.timedelta(seconds=10),
        "ended_at": offered + dt.timedelta(seconds=200),
        "wait_s": 10.0,
        "talk_s": 190.0,
        "hold_s": 0.0,
        "acw_s": 0.0,
        "abandoned": 0,
        "transferred": 0,
        "escalated": 0,
        "resolved_first_contact": None,
        "source": "genesys" if channel == "voice" else "zendesk",
        "updated_at": dt.datetime(2031, 9, 10, tzinfo=dt.UTC),
    }


def _crm_load(warehouse: Warehouse, load_id: str, contacts: list[tuple[str, str, str]]) -> None:
    """One HubSpot contacts load: (id, phone, e-mail) per contact."""
    warehouse.command(
        f"CREATE TABLE IF NOT EXISTS {CRM_CONTACTS} (id String, properties Nullable(String), "
        "archived Nullable(Bool), _dlt_load_id String) ENGINE = MergeTree ORDER BY id"
    )
    for crm_id, phone, email in contacts:
        warehouse.command(
            f"INSERT INTO {CRM_CONTACTS} (id, properties, archived, _dlt_load_id) VALUES "
            "({id:String}, {properties:String}, false, {load:String})",
            parameters={
                "id": crm_id,
                "properties": json.dumps({"phone": phone, "email": email}),
                "load": load_id,
            },
        )
    assert record_stated_identities(warehouse, "hubspot", load_id)


def _customers(warehouse: Warehouse, run: str) -> dict[str, str]:
    rows = warehouse.rows(
        "SELECT contact_id, customer_id FROM cc.contacts FINAL "
        "WHERE startsWith(contact_id, {run:String})",
        {"run": run},
    )
    return {str(contact): str(customer) for contact, customer in rows}


def _repeats(warehouse: Warehouse) -> tuple[float, float]:
    query = kpi_query(CATALOG["repeat_contact_rate"], ("skill",), "day", DAY, DAY)
    rows = warehouse.rows(f"SELECT skill, numerator, denominator FROM ({query.sql()})")
    return next((float(n), float(d)) for skill, n, d in rows if skill == "Identities")


def test_contacts_are_matched_as_the_crm_and_users_state_identities(warehouse: Warehouse) -> None:
    run = uuid.uuid4().hex[:6]
    number = int(run, 16) % 10_000_000
    phone, stranger = f"+1555{number:07d}", f"+1444{number:07d}"
    email = f"customer-{run}@example.com"
    caller = phone_key("record.ani")
    requester = email_key("zendesk", "record.email", "record.requester")

    # Mapped before the CRM record: each keeps the vendor's identifier, prefixed by the vendor.
    assert _resolve(warehouse, "genesys", caller, ani=f"tel:{phone}") == f"genesys:{phone}"
    legs = [
        _leg(f"{run}-call", f"genesys:{phone}", "voice", 9),
        _leg(f"{run}-ticket", f"zendesk:{email}", "email", 11),
        _leg(f"{run}-stranger", f"genesys:{stranger}", "voice", 12),
    ]
    apply_batch(warehouse, "contacts", to_arrow("contacts", legs))
    assert _repeats(warehouse) == (0.0, 3.0)

    # The CRM states the customer's phone (formatted its own way) and e-mail (in capitals).
    crm_id = f"crm-{run}"
    _crm_load(warehouse, "1970000300.5", [(crm_id, f"+1 {phone[2:]}", email.upper())])
    assert refresh_contact_customers(warehouse) == 2
    assert _customers(warehouse, run) == {
        f"{run}-call": crm_id,
        f"{run}-ticket": crm_id,
        f"{run}-stranger": f"genesys:{stranger}",
    }
    # The ticket two hours after the call is now the same customer's repeat contact.
    assert _repeats(warehouse) == (1.0, 3.0)
    assert refresh_contact_customers(warehouse) == 0
    # Records mapped from now on match at once, by either identifier.
    assert _resolve(warehouse, "genesys", caller, ani=f"tel:{phone}") == crm_id
    assert _resolve(warehouse, "zendesk", requester, email=f" {email} ", requester="7") == crm_id
    assert _resolve(warehouse, "zendesk", requester, email=None, requester="7") == "zendesk:7"

    # A user pairs the unknown caller with a CRM id; a later CRM statement does not undo it.
    warehouse.command(
        f"INSERT INTO {TABLE} (kind, value, customer_id, source) "
        "VALUES ('phone', {phone:String}, {crm:String}, 'manual')",
        parameters={"phone": stranger, "crm": crm_id},
    )
    _crm_load(warehouse, "1970000400.5", [(f"other-{run}", stranger, "")])
    assert refresh_contact_customers(warehouse) == 1
    assert _customers(warehouse, run)[f"{run}-stranger"] == crm_id
    assert _resolve(warehouse, "genesys", caller, ani=stranger) == crm_id
    assert _repeats(warehouse) == (2.0, 3.0)


def test_a_vendor_that_states_no_identities_records_nothing(warehouse: Warehouse) -> None:
    assert not record_stated_identities(warehouse, "genesys", "1970000500.5")
