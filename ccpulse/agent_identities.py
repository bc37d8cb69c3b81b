"""Keeping `cc.agent_identities` current.

After each load of a vendor with user records (Genesys users, Intercom admins, Zendesk users,
BambooHR employees, Assembled agents), each user's id and lowercase e-mail address are recorded.
Mappings read the table when they run, so a user's correction applies to records transformed
after it; records transformed before keep their agent until they change again or a backfill
re-extracts them.
"""

from __future__ import annotations

from ccpulse.identifiers import qualified_name, quote_identifier
from ccpulse.raw_tables import present_raw_tables
from ccpulse.warehouse import Warehouse
from transforms.agent_identities import USER_RECORDS, stated_insert
from transforms.vendors.mapping import TEXT

__all__ = ["record_stated_agent_identities"]


def record_stated_agent_identities(warehouse: Warehouse, vendor: str, load_id: str) -> bool:
    """Record the user ids and addresses one load of `vendor` states; False if it states none
    (a vendor without user records, or whose user table dlt has not created yet)."""
    present = present_raw_tables(warehouse, vendor)
    insert = stated_insert(vendor, load_id, present)
    if insert is None:
        return False
    users, _, email_column = USER_RECORDS[vendor]
    # dlt creates the e-mail column only when a user with an address first arrives.
    warehouse.command(
        f"ALTER TABLE {qualified_name('raw', f'raw_{vendor}___{users}')} "
        f"ADD COLUMN IF NOT EXISTS {quote_identifier(email_column)} {TEXT}"
    )
    warehouse.command(insert)
    return True
