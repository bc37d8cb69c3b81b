"""The vendor connectors ccpulse knows: name, kind, source function and required settings.

`ccpulse run` picks from `VENDORS`; a vendor counts as configured when every one of its
`required` settings (`sources.<name>.<setting>`) is set.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from dlt.extract.source import DltSource

from connectors.chat.intercom import intercom_source
from connectors.crm.hubspot import hubspot_source
from connectors.hris.bamboohr import bamboohr_source
from connectors.qa.zendesk_qa import zendesk_qa_source
from connectors.survey.delighted import delighted_source
from connectors.telephony.genesys import genesys_source
from connectors.ticketing.zendesk import zendesk_source
from connectors.wfm.assembled import assembled_source

__all__ = ["VENDORS", "Vendor", "vendor"]


@dataclass(frozen=True)
class Vendor:
    """One connector: its dlt source name, system kind, source function and required settings."""

    name: str
    kind: str
    source: Callable[..., DltSource]
    required: tuple[str, ...]
    # one of these must be set as well (a subdomain or a whole base URL)
    one_of: tuple[str, ...] = ()


_ALL: tuple[Vendor, ...] = (
    Vendor("genesys", "telephony", genesys_source, ("client_id", "client_secret")),
    Vendor("intercom", "chat", intercom_source, ("access_token",)),
    Vendor("zendesk", "ticketing", zendesk_source, ("email", "api_token"),
           ("subdomain", "base_url")),
    Vendor("delighted", "survey", delighted_source, ("api_key",)),
    Vendor("hubspot", "crm", hubspot_source, ("access_token",)),
    Vendor("bamboohr", "hris", bamboohr_source, ("api_key",), ("company_domain", "base_url")),
    Vendor("assembled", "wfm", assembled_source, ("api_key",)),
    Vendor("zendesk_qa", "qa", zendesk_qa_source, ("api_token",), ("subdomain", "base_url")),
)  # fmt: skip

VENDORS: dict[str, Vendor] = {item.name: item for item in _ALL}


def vendor(name: str) -> Vendor:
    """The connector named `name` (or its kind, e.g. `telephony`), or a ValueError listing all."""
    wanted = name.strip().lower().replace("-", "_")
    if wanted in VENDORS:
        return VENDORS[wanted]
    by_kind = [item for item in _ALL if item.kind == wanted]
    if len(by_kind) == 1:
        return by_kind[0]
    known = ", ".join(f"{item.name} ({item.kind})" for item in _ALL)
    raise ValueError(f"no connector `{name}`; known: {known}")
