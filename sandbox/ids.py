"""Each vendor's identifiers for the world's agents, customers and contacts.

Every vendor numbers its records its own way; these functions are the single place where a
world index becomes a vendor id, so renderers and tests agree. Agents are matched across
vendors by work e-mail, customers by CRM id, e-mail or phone.
"""

from __future__ import annotations

import logging

from sandbox import catalog
from sandbox.rand import stable_hex, stable_uuid

logger = logging.getLogger(__name__)

GENESYS_DIVISION = "5f1f64c0-0000-4000-8000-000000000001"


def genesys_user(seed: int, agent: int) -> str:
    return stable_uuid(seed, "genesys-user", agent)


def genesys_queue(seed: int, skill: str) -> str:
    return stable_uuid(seed, "genesys-queue", skill)


def genesys_wrapup(seed: int, code: str) -> str:
    return stable_uuid(seed, "genesys-wrapup", code)


def genesys_conversation(seed: int, contact_id: int) -> str:
    return stable_uuid(seed, "genesys-conversation", contact_id)


def genesys_participant(seed: int, contact_id: int, role: str, leg: int) -> str:
    return stable_uuid(seed, "genesys-participant", contact_id, role, leg)


def genesys_skill(seed: int, name: str) -> str:
    return stable_uuid(seed, "genesys-skill", name)


def intercom_admin(agent: int) -> str:
    return str(5_000_000 + agent)


def intercom_team(name: str) -> str:
    names = [skill.name for skill in catalog.SKILLS] + list(catalog.GROUPS)
    return str(9_000_000 + names.index(name))


def intercom_contact(seed: int, customer: int) -> str:
    return stable_hex(seed, "intercom-contact", customer)


def zendesk_agent(agent: int) -> int:
    return 360_000_000 + agent


def zendesk_requester(customer: int) -> int:
    return 370_000_000 + customer


def zendesk_group(skill: str) -> int:
    return 3_600_000 + [item.name for item in catalog.SKILLS].index(skill)


def delighted_person(customer: int) -> str:
    return str(20_000_000 + customer)


def delighted_employee(agent: int) -> str:
    return str(29_000_000 + agent)


def bamboohr_employee(agent: int) -> str:
    return str(100 + agent)


def assembled_agent(seed: int, agent: int) -> str:
    return stable_uuid(seed, "assembled-agent", agent)


def qa_user(agent: int) -> str:
    return str(7_000_000 + agent)


def qa_reviewer(reviewer: int) -> str:
    return str(7_900_000 + reviewer)


QA_REVIEWERS = (
    ("Quinn Auditor", f"quinn.auditor@{catalog.AGENT_DOMAIN}"),
    ("Rhea Calibrate", f"rhea.calibrate@{catalog.AGENT_DOMAIN}"),
    ("Sami Checker", f"sami.checker@{catalog.AGENT_DOMAIN}"),
)
