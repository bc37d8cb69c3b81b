"""The fixed shape of the simulated contact centre: skills, skill groups, channels, codes.

Skills are queues (where a contact waits); skill groups are teams of agents. Tier 2 queues are
the target of escalations: a transfer to a queue of a higher tier is an escalation, a transfer
between queues of the same tier is lateral.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

CHANNELS = ("voice", "chat", "email", "messaging")
DEFAULT_CHANNEL_MIX = {"voice": 0.5, "chat": 0.25, "email": 0.15, "messaging": 0.10}


@dataclass(frozen=True)
class Skill:
    """A routing queue: its channel, tier and the skill group whose agents answer it."""

    name: str
    channel: str
    tier: int
    group: str
    share: float


SKILLS: tuple[Skill, ...] = (
    Skill("Voice Billing", "voice", 1, "Voice Tier 1", 0.5),
    Skill("Voice Support", "voice", 1, "Voice Tier 1", 0.5),
    Skill("Voice Tier 2", "voice", 2, "Voice Tier 2", 0.0),
    Skill("Chat Support", "chat", 1, "Digital", 1.0),
    Skill("Messaging Support", "messaging", 1, "Digital", 1.0),
    Skill("Email Support", "email", 1, "Email", 1.0),
)
SKILL_BY_NAME = {skill.name: skill for skill in SKILLS}

# Skill group -> the channel its agents mainly serve (employees.primary_channel).
GROUPS: dict[str, str] = {
    "Voice Tier 1": "voice",
    "Voice Tier 2": "voice",
    "Digital": "chat",
    "Email": "email",
}


@dataclass(frozen=True)
class ChannelProfile:
    """How contacts of one channel behave. Times in seconds."""

    talk_mean_s: float
    talk_sigma: float
    patience_mean_s: float
    acw_mean_s: float
    hold_probability: float
    hold_mean_s: float
    # Vendors serving chat, messaging and e-mail publish whole seconds only; voice has ms.
    precision_ms: int


PROFILES: dict[str, ChannelProfile] = {
    "voice": ChannelProfile(300, 0.6, 150, 45, 0.3, 60, 1),
    "chat": ChannelProfile(540, 0.5, 240, 0, 0.0, 0, 1000),
    "messaging": ChannelProfile(720, 0.5, 1800, 0, 0.0, 0, 1000),
    "email": ChannelProfile(360, 0.5, float("inf"), 0, 0.0, 0, 1000),
}

# Genesys wrap-up codes and what each says about first-contact resolution (None: unstated).
WRAPUP_CODES: dict[str, bool | None] = {
    "Resolved": True,
    "Follow-up Required": False,
    "General Enquiry": None,
    "Sales Opportunity": None,
}
WRAPUP_WEIGHTS = (0.55, 0.12, 0.23, 0.10)

ACQUISITION_CHANNELS = ("ORGANIC_SEARCH", "PAID_SEARCH", "PAID_SOCIAL", "REFERRALS")
ACQUISITION_CAC = {
    "ORGANIC_SEARCH": 40.0,
    "PAID_SEARCH": 180.0,
    "PAID_SOCIAL": 140.0,
    "REFERRALS": 60.0,
}
SEGMENTS = (("smb", 0.7, 49.0), ("mid_market", 0.25, 390.0), ("enterprise", 0.05, 2900.0))

# Service (non-labour) cost per day and per contact offered, by contact channel.
SERVICE_COST_PER_DAY = {"voice": 120.0, "chat": 45.0, "email": 30.0, "messaging": 35.0}
SERVICE_COST_PER_CONTACT = {"voice": 0.35, "chat": 0.08, "email": 0.05, "messaging": 0.06}

# Zendesk QA scorecard: (category, group, weight, critical). The "Script" group holds the
# required script items that `script_adherence_rate` reads.
QA_CATEGORIES: tuple[tuple[str, str, float, bool], ...] = (
    ("Greeting", "Script", 1.0, False),
    ("Identity verification", "Script", 1.0, True),
    ("Closing", "Script", 1.0, False),
    ("Solution", "Quality", 3.0, False),
    ("Tone", "Quality", 2.0, False),
)

# Scheduled shift template, minutes from shift start: (start, end, activity).
SHIFT_TEMPLATE: tuple[tuple[int, int, str], ...] = (
    (0, 120, "on_queue"),
    (120, 135, "break"),
    (135, 240, "on_queue"),
    (240, 270, "lunch"),
    (270, 390, "on_queue"),
    (390, 405, "break"),
    (405, 510, "on_queue"),
)
# Scheduled activity -> the agent states that count as adhering to it.
ADHERENT_STATES: dict[str, frozenset[str]] = {
    "on_queue": frozenset({"available", "on_contact", "acw"}),
    "break": frozenset({"break"}),
    "lunch": frozenset({"break"}),
    "training": frozenset({"training"}),
    "meeting": frozenset({"meeting"}),
}
UNPAID_ACTIVITIES = frozenset({"lunch", "off"})

FIRST_NAMES = (
    "Ava",
    "Liam",
    "Mia",
    "Noah",
    "Zoe",
    "Omar",
    "Lena",
    "Ivan",
    "Sara",
    "Theo",
    "Nora",
    "Ravi",
    "Emma",
    "Jonas",
    "Aiko",
    "Mateo",
    "Chloe",
    "Yusuf",
    "Ines",
    "Felix",
    "Maya",
    "Oscar",
    "Lucia",
)
LAST_NAMES = (
    "Smith",
    "Garcia",
    "Nguyen",
    "Kowalski",
    "Okafor",
    "Rossi",
    "Larsen",
    "Tanaka",
    "Silva",
    "Novak",
    "Haddad",
    "Fischer",
    "Moreau",
    "Patel",
    "Jensen",
    "Costa",
    "Murphy",
    "Weber",
)
AGENT_DOMAIN = "support.sandbox-cc.example"
CUSTOMER_DOMAIN = "customers.sandbox-cc.example"
