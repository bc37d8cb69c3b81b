"""Which customer a contact belongs to: the identity table `cc.customer_identities` and its SQL.

Each system knows the customer by what it sees: telephony by the calling number (ANI), chat and
ticketing by an e-mail address, the CRM by its own contact id, with the phone and e-mail on
record. `cc.customer_identities` maps an identifier (`kind` `phone`, `email`, or a vendor name
for that vendor's own customer id; `value` normalized) to the customer id, which is the CRM's.
The CRM states its contacts' phone numbers and e-mail addresses after each load; a user corrects
or adds a pairing by inserting a row with source `manual`, which wins over the CRM's (the CRM
rows stay, so removing the correction restores what the CRM states).

A contact leg of Genesys, Intercom or Zendesk takes the customer id its identifier resolves to,
or, where none matches, the identifier prefixed by the vendor (`genesys:+15550000001`,
`zendesk:someone@example.com`, `zendesk:12345` for a requester without an e-mail). Legs mapped
before the CRM record arrived (or before a correction) still carry that prefixed identifier;
they are re-derived through the contacts change stream, so every KPI by customer follows.

Normalization: a phone number keeps its digits behind a `+` (a leading international `00` is
dropped), so `tel:+1 (555) 000-0001` and `+15550000001` match; an e-mail address is trimmed and
lower-cased.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from transforms.unified_model import DATABASE, table
from transforms.vendors.mapping import raw_table

__all__ = [
    "DDL",
    "LOOKUP",
    "MANUAL",
    "MATCHED_SOURCES",
    "TABLE",
    "customer_id",
    "email_key",
    "identity_join",
    "normalized_email",
    "normalized_phone",
    "phone_key",
    "refresh_select",
    "stated_insert",
    "states_identities",
]

TABLE = f"`{DATABASE}`.`customer_identities`"
MANUAL = "manual"
"""The source of a user's correction; it wins over the CRM's statement."""

DDL = (
    f"CREATE TABLE IF NOT EXISTS {TABLE} (\n"
    "    kind LowCardinality(String),\n"
    "    value String,\n"
    "    customer_id String,\n"
    "    source LowCardinality(String),\n"
    "    updated_at DateTime64(3, 'UTC') DEFAULT now64(3)\n"
    ")\n"
    "ENGINE = ReplacingMergeTree(updated_at)\n"
    "ORDER BY (kind, value, source)\n"
    "COMMENT 'phone / email / vendor customer id -> customer (CRM) id; source `manual` corrects'"
)

LOOKUP = (
    "SELECT concat(kind, ':', value) AS identity, "
    f"argMax(customer_id, (source = '{MANUAL}', updated_at)) AS customer_id\n"
    f"FROM {TABLE} FINAL\n"
    "WHERE value != ''\n"
    "GROUP BY identity"
)
"""One row per identifier (`kind:value`): the corrected customer if a user set one, else the
newest stated one. A correction to the empty customer id unmatches the identifier."""

_ALIAS = "customer_identities"

MATCHED_SOURCES: Mapping[str, str] = MappingProxyType(
    {"genesys": "phone", "intercom": "email", "zendesk": "email"}
)
"""Sources whose contacts are matched to the CRM, and the kind of identifier each gives."""


def normalized_phone(text: str) -> str:
    """SQL: the phone number `text` as `+digits` ('' when it has no digits)."""
    digits = f"replaceRegexpAll(ifNull({text}, ''), '[^0-9]', '')"
    international = f"startsWith(replaceRegexpAll(ifNull({text}, ''), '^(tel:)?[ ]*', ''), '00')"
    trimmed = f"if({international}, substring({digits}, 3), {digits})"
    return f"if({digits} = '', '', concat('+', {trimmed}))"


def normalized_email(text: str) -> str:
    """SQL: the e-mail address `text` trimmed and lower-cased ('' when absent)."""
    return f"lower(trimBoth(ifNull({text}, '')))"


def phone_key(text: str) -> str:
    """SQL: the identifier `phone:+digits` of a phone number, '' when it has no digits."""
    phone = normalized_phone(text)
    return f"if({phone} = '', '', concat('phone:', {phone}))"


def email_key(vendor: str, email: str, own_id: str) -> str:
    """SQL: the identifier `email:<address>`, or `<vendor>:<own id>` without an address."""
    address = normalized_email(email)
    return (
        f"multiIf({address} != '', concat('email:', {address}), "
        f"ifNull({own_id}, '') != '', concat('{vendor}:', {own_id}), '')"
    )


def identity_join(key: str) -> str:
    """LEFT JOIN of the lookup as `customer_identities`, on the identifier expression `key`."""
    return f"LEFT JOIN ({LOOKUP}) AS {_ALIAS} ON {_ALIAS}.identity = {key}"


def customer_id(vendor: str, key: str) -> str:
    """SQL: the joined customer id, else the identifier's value prefixed by `vendor`; null for
    a contact without an identifier."""
    unmatched = f"concat('{vendor}:', substring({key}, position({key}, ':') + 1))"
    return f"if({key} = '', NULL, ifNull(nullIf({_ALIAS}.customer_id, ''), {unmatched}))"


def _key_of_unmatched(source: str, customer: str) -> str:
    """SQL: the identifier behind an unmatched customer id `<source>:<value>`."""
    value = f"substring({customer}, length({source}) + 2)"
    kinds = " ".join(
        f"{source} = '{vendor}', "
        + (
            f"concat('phone:', {value}),"
            if kind == "phone"
            else f"if(position({value}, '@') > 0, concat('email:', {value}), {customer}),"
        )
        for vendor, kind in sorted(MATCHED_SOURCES.items())
    )
    return f"multiIf({kinds} '')"


def refresh_select() -> str:
    """Contact legs still carrying an unmatched identifier that now resolves to a customer, with
    the customer id corrected, in the shape `ccpulse.changes.apply_select` takes."""
    sources = ", ".join(f"'{source}'" for source in sorted(MATCHED_SOURCES))
    columns = [
        f"{_ALIAS}.customer_id AS customer_id"
        if name == "customer_id"
        else f"contacts.{name} AS {name}"
        for name in table("contacts").column_names
    ]
    key = _key_of_unmatched("contacts.source", "assumeNotNull(contacts.customer_id)")
    return (
        "SELECT\n"
        + "".join(f"    {column},\n" for column in columns)
        + "    toUInt8(0) AS is_deleted\n"
        f"FROM `{DATABASE}`.`contacts` AS contacts FINAL\n"
        f"INNER JOIN ({LOOKUP}) AS {_ALIAS} ON {_ALIAS}.identity = {key}\n"
        f"WHERE contacts.source IN ({sources})\n"
        "AND startsWith(ifNull(contacts.customer_id, ''), concat(contacts.source, ':'))\n"
        f"AND {_ALIAS}.customer_id != ''"
    )


def states_identities(vendor: str) -> bool:
    """Whether `vendor`'s records state customers' phone numbers and e-mail addresses."""
    return vendor == "hubspot"


def stated_insert(vendor: str, load_id: str) -> str | None:
    """INSERT of the identifiers one load of `vendor` states, or None for a vendor that states
    none."""
    if not states_identities(vendor):
        return None
    contacts = raw_table(vendor, "contacts")
    properties = "ifNull(properties, '{}')"
    phone = normalized_phone(f"JSONExtractString({properties}, 'phone')")
    email = normalized_email(f"JSONExtractString({properties}, 'email')")
    version = f"toDateTime64({float(load_id)}, 3, 'UTC')"
    return (
        f"INSERT INTO {TABLE} (kind, value, customer_id, source, updated_at)\n"
        f"SELECT pair.1, pair.2, customer_id, '{vendor}', {version}\n"
        "FROM (\n"
        "    SELECT\n"
        "        ifNull(id, '') AS customer_id,\n"
        f"        arrayJoin([('phone', {phone}), ('email', {email})]) AS pair\n"
        f"    FROM {contacts}\n"
        f"    WHERE _dlt_load_id = '{load_id}' AND NOT ifNull(archived, false)\n"
        ")\n"
        "WHERE customer_id != '' AND pair.2 != ''"
    )
