"""One module per vendor API served by the sandbox; `all_vendors` builds them for a world."""

from __future__ import annotations

import logging

from sandbox.httpcore import Vendor
from sandbox.world import World

logger = logging.getLogger(__name__)


def all_vendors(world: World) -> list[Vendor]:
    """Every vendor of the sandbox, in the order of the README's table."""
    from sandbox.vendors.assembled import Assembled
    from sandbox.vendors.bamboohr import BambooHR
    from sandbox.vendors.delighted import Delighted
    from sandbox.vendors.genesys import Genesys
    from sandbox.vendors.hubspot import HubSpot
    from sandbox.vendors.intercom import Intercom
    from sandbox.vendors.zendesk import Zendesk
    from sandbox.vendors.zendesk_qa import ZendeskQA

    classes: list[type[Vendor]] = [
        Genesys,
        Intercom,
        Zendesk,
        Delighted,
        HubSpot,
        BambooHR,
        Assembled,
        ZendeskQA,
    ]
    return [cls(world) for cls in classes]
