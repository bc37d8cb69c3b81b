"""HubSpot CRM -> `customers`, `revenue` and `costs`.

A contact that became a customer is a customer: acquired at `hs_lifecyclestage_customer_date`,
through the marketing channel `hs_analytics_source` (as HubSpot spells it: `PAID_SEARCH`), churned
at the custom property `churn_date`, segment from `customer_segment`. A closed-won deal is revenue
of its `contact_id` at `closedate`, with the custom `gross_margin` (a fraction); an archived deal
is a refund and is deleted. Cost lines are the custom object `p_cost_items` (`period_start`,
`period_end`, `scope`, `channel`, `amount`): a service cost's channel is a contact channel (lower
case), an acquisition cost's the marketing channel, spelled as on the customers. An archived record
is deleted.
"""

from __future__ import annotations

from transforms.vendors.mapping import TEXT, RawTables, VendorMapping, raw_table

__all__ = ["MAPPINGS"]

VENDOR = "hubspot"


def _property(name: str) -> str:
    return f"nullIf(JSONExtractString(ifNull(properties, '{{}}'), '{name}'), '')"


def _time(name: str) -> str:
    return f"parseDateTime64BestEffortOrNull({_property(name)}, 3, 'UTC')"


def _version(load_id: str) -> str:
    return f"ifNull({_time('hs_lastmodifieddate')}, toDateTime64({float(load_id)}, 3, 'UTC'))"


def _customers(load_id: str, raw: RawTables) -> str:
    contacts = raw_table(VENDOR, "contacts")
    return f"""
SELECT
    ifNull(id, '') AS customer_id,
    {_time("hs_lifecyclestage_customer_date")} AS acquired_at,
    {_property("hs_analytics_source")} AS acquisition_channel,
    {_time("churn_date")} AS churned_at,
    {_property("customer_segment")} AS segment,
    'hubspot' AS source,
    {_version(load_id)} AS updated_at,
    toUInt8(ifNull(archived, 0) OR acquired_at IS NULL) AS is_deleted,
    multiIf(customer_id = '', 'missing contact id', '') AS reject_reason,
    concat('{{"id":', toJSONString(customer_id), '}}') AS raw_payload
FROM {contacts}
WHERE _dlt_load_id = '{load_id}'
"""


def _revenue(load_id: str, raw: RawTables) -> str:
    deals = raw_table(VENDOR, "deals")
    return f"""
SELECT
    ifNull({_property("contact_id")}, '') AS customer_id,
    {_time("closedate")} AS occurred_at,
    toFloat64OrZero(ifNull({_property("amount")}, '0')) AS amount,
    toFloat64OrNull(ifNull({_property("gross_margin")}, '')) AS gross_margin,
    'hubspot' AS source,
    {_version(load_id)} AS updated_at,
    toUInt8(ifNull(archived, 0) OR ifNull({_property("dealstage")}, '') != 'closedwon')
        AS is_deleted,
    multiIf(
        customer_id = '', 'deal without a contact',
        occurred_at IS NULL, 'deal without a close date',
        ''
    ) AS reject_reason,
    concat('{{"id":', toJSONString(ifNull(id, '')), '}}') AS raw_payload
FROM {deals}
WHERE _dlt_load_id = '{load_id}'
"""


def _costs(load_id: str, raw: RawTables) -> str:
    items = raw_table(VENDOR, "cost_items")
    return f"""
SELECT
    {_time("period_start")} AS period_start,
    {_time("period_end")} AS period_end,
    ifNull({_property("scope")}, '') AS scope,
    -- acquisition spend is booked on the marketing channel, spelled as on the customers
    if(scope = 'acquisition', ifNull({_property("channel")}, 'all'),
        lower(ifNull({_property("channel")}, 'all'))) AS channel,
    toFloat64OrZero(ifNull({_property("amount")}, '0')) AS amount,
    'hubspot' AS source,
    {_version(load_id)} AS updated_at,
    toUInt8(ifNull(archived, 0)) AS is_deleted,
    multiIf(
        period_start IS NULL OR period_end IS NULL, 'cost line without its period',
        scope NOT IN ('service', 'acquisition'), concat('unknown cost scope `', scope, '`'),
        ''
    ) AS reject_reason,
    concat('{{"id":', toJSONString(ifNull(id, '')), '}}') AS raw_payload
FROM {items}
WHERE _dlt_load_id = '{load_id}'
"""


_ARCHIVED = {"archived": "Nullable(Bool)", "properties": TEXT}

MAPPINGS = (
    VendorMapping(VENDOR, "customers", _customers, ("contacts",), {"contacts": _ARCHIVED}),
    VendorMapping(VENDOR, "revenue", _revenue, ("deals",), {"deals": _ARCHIVED}),
    VendorMapping(VENDOR, "costs", _costs, ("cost_items",), {"cost_items": _ARCHIVED}),
)
