"""The additive parts every KPI is built from, one aggregate per unified fact.

Each fact (contacts, responses, surveys, QA evaluations, agent states, schedules, costs,
customers) has one aggregate table, fed by one materialized view on the fact's change stream. A
row of the change stream contributes to the hour of each of its *anchors* (the event that
completes a measure: the offer, the answer, the end of wrap-up, the reply, the submission, the
start of a state or a scheduled activity), and to every part whose anchor that is. Parts are sums of
`sign * value`, so an update (-1 old, +1 new) or a delete (-1) corrects them exactly; ratios are
divided only when read.

Breakdown keys are the contact's channel, skill, skill group and agent (an agent's measures have
no skill). A missing key is stored as the empty string, which the BI views show as null.

Parts that combine two facts (schedule adherence, labour cost) or rows of one fact with each other
(repeat contacts) cannot be kept by a view; they live in daily aggregates of the same shape,
recomputed per affected day (`kpi_views.windowed`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

__all__ = [
    "CHAT_CHANNELS",
    "DAILY_AGGREGATES",
    "DIMENSIONS",
    "FACTS",
    "MAX_CHAT_STRETCH_DAYS",
    "REPEAT_WINDOW_DAYS",
    "SOURCES",
    "STATED_OUTCOME_CHANNELS",
    "UNPAID_ACTIVITIES",
    "AggregateSource",
    "Anchor",
    "DailyAggregate",
    "Fact",
    "Part",
    "fact",
    "interval_seconds",
]

DIMENSIONS: tuple[str, ...] = ("channel", "skill", "skill_group", "agent")
"""Breakdown dimensions, in the order aggregate keys and views list them."""

PartKind = Literal["count", "sum"]


@dataclass(frozen=True)
class Anchor:
    """An event time that a measure is counted at."""

    name: str
    time: str
    """SQL expression of the event time over a unified row; null when the event has not happened."""


@dataclass(frozen=True)
class Part:
    """One additive part: `sum(sign * value)` over the rows of an anchor, per hour and breakdown."""

    name: str
    anchor: str
    value: str
    """SQL expression over a unified row: a 0/1 condition for a count, a number for a sum."""
    kind: PartKind = "count"
    description: str = ""

    @property
    def clickhouse_type(self) -> str:
        return "Int64" if self.kind == "count" else "Float64"


@dataclass(frozen=True)
class Fact:
    """An aggregate over one unified table."""

    name: str
    table: str
    dimensions: Mapping[str, str]
    anchors: tuple[Anchor, ...]
    parts: tuple[Part, ...]
    where: str = "1"
    """Rows of the unified table that count at all (e.g. calibration reviews do not)."""
    _parts: Mapping[str, Part] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        anchors = {anchor.name for anchor in self.anchors}
        for part in self.parts:
            if part.anchor not in anchors:
                raise ValueError(
                    f"part `{part.name}` of `{self.name}` has no anchor `{part.anchor}`"
                )
        if set(self.dimensions) - set(DIMENSIONS):
            raise ValueError(f"fact `{self.name}` has unknown dimensions")
        object.__setattr__(self, "_parts", MappingProxyType({p.name: p for p in self.parts}))

    def part(self, name: str) -> Part:
        try:
            return self._parts[name]
        except KeyError:
            raise KeyError(f"fact `{self.name}` has no part `{name}`") from None


_CONTACT_DIMENSIONS = MappingProxyType(
    {
        "channel": "channel",
        "skill": "ifNull(skill, '')",
        "skill_group": "ifNull(skill_group, '')",
        "agent": "ifNull(agent_id, '')",
    }
)

# A contact leg is handled when it was answered; it completes at the end of its wrap-up.
# A source may not name the agent (a log with no server id): the leg was still answered.
_HANDLED = "answered_at IS NOT NULL"
_INBOUND = "direction = 'inbound'"
SERVICE_LEVEL_THRESHOLD_S = 20
SHORT_ABANDON_S = 5

CONTACTS = Fact(
    name="contacts",
    table="contacts",
    dimensions=_CONTACT_DIMENSIONS,
    anchors=(
        Anchor("offered", "offered_at"),
        Anchor("answered", "answered_at"),
        Anchor(
            "completed",
            "if(ended_at IS NULL, NULL, ended_at + toIntervalMillisecond(round(acw_s * 1000)))",
        ),
    ),
    parts=(
        Part("offered", "offered", _INBOUND, description="inbound legs offered to a queue"),
        Part("abandoned", "offered", f"{_INBOUND} AND abandoned = 1"),
        Part(
            "abandoned_short",
            "offered",
            f"{_INBOUND} AND abandoned = 1 AND wait_s <= {SHORT_ABANDON_S}",
            description=f"abandoned within {SHORT_ABANDON_S} s (left out of service level)",
        ),
        Part("abandon_wait_s", "offered", f"if({_INBOUND} AND abandoned = 1, wait_s, 0)", "sum"),
        Part("answered_of_offered", "offered", f"{_INBOUND} AND answered_at IS NOT NULL"),
        Part(
            "answered_in_threshold",
            "offered",
            f"{_INBOUND} AND answered_at IS NOT NULL AND wait_s <= {SERVICE_LEVEL_THRESHOLD_S}",
            description=f"answered within {SERVICE_LEVEL_THRESHOLD_S} s of the offer",
        ),
        Part("answered", "answered", f"{_INBOUND} AND {_HANDLED}"),
        Part("answer_wait_s", "answered", f"if({_INBOUND} AND {_HANDLED}, wait_s, 0)", "sum"),
        Part("handled", "completed", _HANDLED),
        Part("talk_s", "completed", f"if({_HANDLED}, talk_s, 0)", "sum"),
        Part("hold_s", "completed", f"if({_HANDLED}, hold_s, 0)", "sum"),
        Part("acw_s", "completed", f"if({_HANDLED}, acw_s, 0)", "sum"),
        Part("held", "completed", f"{_HANDLED} AND hold_s > 0"),
        Part("transferred", "completed", f"{_HANDLED} AND transferred = 1"),
        Part("escalated", "completed", f"{_HANDLED} AND escalated = 1"),
        # FCR counts contacts, not legs (the first leg carries the contact's outcome), at the
        # time the contact was offered.
        Part(
            "fcr_known",
            "offered",
            f"{_HANDLED} AND {_INBOUND} AND leg = 1 AND resolved_first_contact IS NOT NULL",
            description="handled inbound contacts whose first-contact outcome is known",
        ),
        Part(
            "fcr_resolved",
            "offered",
            f"{_HANDLED} AND {_INBOUND} AND leg = 1 AND resolved_first_contact = 1",
        ),
    ),
)

RESPONSES = Fact(
    name="responses",
    table="responses",
    dimensions=MappingProxyType({**_CONTACT_DIMENSIONS, "agent": "agent_id"}),
    anchors=(Anchor("replied", "replied_at"),),
    parts=(
        Part("replies", "replied", "1"),
        Part("response_s", "replied", "response_s", "sum"),
        Part("first_replies", "replied", "is_first_response = 1"),
        Part("first_response_s", "replied", "if(is_first_response = 1, response_s, 0)", "sum"),
    ),
)

_SCALE_POINTS = "(scale_max - scale_min + 1)"
# The top two boxes of a 5-point (or longer) scale; on a two-point good/bad survey, the top one.
_TOP_TWO = "score >= scale_max - if(scale_max - scale_min >= 4, 1, 0)"
_FIVE_POINT = "scale_max - scale_min >= 4"

SURVEYS = Fact(
    name="surveys",
    table="surveys",
    dimensions=MappingProxyType({**_CONTACT_DIMENSIONS, "channel": "ifNull(channel, '')"}),
    anchors=(Anchor("responded", "responded_at"),),
    parts=(
        Part("csat_valid", "responded", "kind = 'csat'"),
        Part("csat_top_two", "responded", f"kind = 'csat' AND {_TOP_TWO}"),
        # The mean is read within one scale: good/bad ratings carry no score to average.
        Part("csat_scored", "responded", f"kind = 'csat' AND {_FIVE_POINT}"),
        Part("csat_score", "responded", f"if(kind = 'csat' AND {_FIVE_POINT}, score, 0)", "sum"),
        Part("nps_valid", "responded", "kind = 'nps' AND scale_min = 0 AND scale_max = 10"),
        Part("nps_promoters", "responded", "kind = 'nps' AND scale_max = 10 AND score >= 9"),
        Part("nps_detractors", "responded", "kind = 'nps' AND scale_max = 10 AND score <= 6"),
        Part("ces_valid", "responded", "kind = 'ces'"),
        Part(
            "ces_agree",
            "responded",
            # 5-7 on the 7-point scale, 4-5 on a 5-point one: the top three or two boxes.
            f"kind = 'ces' AND score >= scale_max - if({_SCALE_POINTS} >= 7, 2, 1)",
        ),
        Part("ces_score", "responded", "if(kind = 'ces', score, 0)", "sum"),
        Part("esat_valid", "responded", "kind = 'esat'"),
        Part("esat_favourable", "responded", f"kind = 'esat' AND {_TOP_TWO}"),
        Part("engagement_valid", "responded", "kind = 'engagement'"),
        Part(
            "engagement_pct",
            "responded",
            "if(kind = 'engagement', 100 * (score - scale_min) / (scale_max - scale_min), 0)",
            "sum",
        ),
    ),
)

# A survey sent counts at the hour it was sent, answered or not; the answer moves it into the
# answered part of that same hour, whenever it arrives.
SURVEY_INVITATIONS = Fact(
    name="survey_invitations",
    table="survey_invitations",
    dimensions=MappingProxyType({**_CONTACT_DIMENSIONS, "channel": "ifNull(channel, '')"}),
    anchors=(Anchor("sent", "sent_at"),),
    parts=(
        Part("surveys_sent", "sent", "1", description="surveys sent"),
        Part(
            "surveys_answered",
            "sent",
            "responded_at IS NOT NULL",
            description="of those, answered",
        ),
    ),
)

QA_EVALUATIONS = Fact(
    name="qa_evaluations",
    table="qa_evaluations",
    dimensions=MappingProxyType(
        {
            **_CONTACT_DIMENSIONS,
            "channel": "ifNull(channel, '')",
            "skill_group": "''",
            "agent": "agent_id",
        }
    ),
    anchors=(Anchor("evaluated", "evaluated_at"),),
    where="is_calibration = 0",
    parts=(
        Part("evaluations", "evaluated", "1"),
        Part("score_pct", "evaluated", "score_pct", "sum"),
        Part("voice_evaluations", "evaluated", "channel = 'voice'"),
        Part("voice_score_pct", "evaluated", "if(channel = 'voice', score_pct, 0)", "sum"),
        Part("other_evaluations", "evaluated", "ifNull(channel, '') != 'voice'"),
        Part(
            "other_score_pct",
            "evaluated",
            "if(ifNull(channel, '') != 'voice', score_pct, 0)",
            "sum",
        ),
        Part("script_items_required", "evaluated", "script_items_required", "sum"),
        Part("script_items_met", "evaluated", "script_items_met", "sum"),
    ),
)

# Measures about agents have no skill: their channel is the agent's primary channel and their
# skill group the agent's, both copied onto the row from the employee record.
_AGENT_MEASURE_DIMENSIONS = MappingProxyType(
    {
        "channel": "ifNull(channel, '')",
        "skill_group": "ifNull(skill_group, '')",
        "agent": "agent_id",
    }
)


def interval_seconds(start: str, end: str) -> str:
    """SQL for the length of the interval [`start`, `end`) in seconds, to the millisecond."""
    return f"(toUnixTimestamp64Milli({end}) - toUnixTimestamp64Milli({start})) / 1000"


_STATE_S = interval_seconds("started_at", "ended_at")
_ON_CONTACTS = "state IN ('on_contact', 'acw')"

# A state interval counts once it has ended, whole, at the hour it started (the oracle's anchor:
# an interval is not split across the hours it spans).
AGENT_STATES = Fact(
    name="agent_states",
    table="agent_states",
    dimensions=_AGENT_MEASURE_DIMENSIONS,
    anchors=(Anchor("started", "if(ended_at IS NULL, NULL, started_at)"),),
    parts=(
        Part("available_s", "started", f"if(state = 'available', {_STATE_S}, 0)", "sum"),
        Part("on_contact_s", "started", f"if(state = 'on_contact', {_STATE_S}, 0)", "sum"),
        Part("acw_s", "started", f"if(state = 'acw', {_STATE_S}, 0)", "sum"),
        Part("training_s", "started", f"if(state = 'training', {_STATE_S}, 0)", "sum"),
        Part("meeting_s", "started", f"if(state = 'meeting', {_STATE_S}, 0)", "sum"),
        Part("break_s", "started", f"if(state = 'break', {_STATE_S}, 0)", "sum"),
    ),
)

UNPAID_ACTIVITIES: tuple[str, ...] = ("lunch", "off")
"""Scheduled activities that are not paid time; every other activity is."""

_PAID = "activity NOT IN ({})".format(", ".join(f"'{a}'" for a in UNPAID_ACTIVITIES))

# A scheduled activity counts, whole, at the hour it starts, as soon as the schedule is loaded.
SCHEDULES = Fact(
    name="schedules",
    table="schedules",
    dimensions=_AGENT_MEASURE_DIMENSIONS,
    anchors=(Anchor("scheduled", "starts_at"),),
    parts=(
        Part(
            "paid_s",
            "scheduled",
            f"if({_PAID}, {interval_seconds('starts_at', 'ends_at')}, 0)",
            "sum",
            description="scheduled paid time (activities other than "
            f"{' and '.join(UNPAID_ACTIVITIES)})",
        ),
    ),
)

COSTS = Fact(
    name="costs",
    table="costs",
    dimensions=MappingProxyType({"channel": "channel"}),
    anchors=(Anchor("period", "period_start"),),
    parts=(
        Part("service_cost", "period", "if(scope = 'service', amount, 0)", "sum"),
        Part("acquisition_cost", "period", "if(scope = 'acquisition', amount, 0)", "sum"),
    ),
)

# Customers count once, when acquired, under the marketing channel that acquired them.
CUSTOMERS = Fact(
    name="customers",
    table="customers",
    dimensions=MappingProxyType({"channel": "ifNull(acquisition_channel, '')"}),
    anchors=(Anchor("acquired", "acquired_at"),),
    parts=(Part("acquired", "acquired", "1", description="customers acquired"),),
)

FACTS: Mapping[str, Fact] = MappingProxyType(
    {
        f.name: f
        for f in (
            CONTACTS,
            RESPONSES,
            SURVEYS,
            SURVEY_INVITATIONS,
            QA_EVALUATIONS,
            AGENT_STATES,
            SCHEDULES,
            COSTS,
            CUSTOMERS,
        )
    }
)


def fact(name: str) -> Fact:
    try:
        return FACTS[name]
    except KeyError:
        raise KeyError(f"`{name}` is not a fact; facts: {', '.join(FACTS)}") from None


@dataclass(frozen=True)
class DailyAggregate:
    """Parts that no view can keep exact (they combine facts, or rows of one fact with each
    other), recomputed per day from the current-state tables and swapped in a day at a time.

    Its table has the shape of a fact's aggregate (hour, breakdown keys, one column per part), so
    KPIs read it the same way; `kpi_views.windowed` writes the SQL that fills it.
    """

    name: str
    reads: tuple[str, ...]
    """The unified tables it is computed from: a batch on any of them calls for a recomputation."""
    dimensions: tuple[str, ...]
    parts: tuple[Part, ...]
    description: str = ""

    def part(self, name: str) -> Part:
        for candidate in self.parts:
            if candidate.name == name:
                return candidate
        raise KeyError(f"daily aggregate `{self.name}` has no part `{name}`")


_AGENT_KEYS = tuple(_AGENT_MEASURE_DIMENSIONS)

ADHERENCE = DailyAggregate(
    name="adherence",
    reads=("schedules", "agent_states"),
    dimensions=_AGENT_KEYS,
    parts=(
        Part("scheduled_s", "scheduled", "", "sum", "scheduled seconds of mapped activities"),
        Part("adherent_s", "scheduled", "", "sum", "of those, seconds in a matching state"),
    ),
    description="schedule adherence per scheduled activity, at the hour the activity starts",
)

LABOUR = DailyAggregate(
    name="labour",
    reads=("schedules", "employees"),
    dimensions=_AGENT_KEYS,
    parts=(Part("labour_cost", "scheduled", "", "sum", "paid scheduled hours x hourly cost"),),
    description="labour cost of paid scheduled activities, at the hour the activity starts",
)

REPEAT_WINDOW_ENV = "CCPULSE_REPEAT_WINDOW_DAYS"


def _repeat_window_days() -> int:
    text = os.environ.get(REPEAT_WINDOW_ENV, "7")
    if not text.isdigit() or not 1 <= int(text) <= 90:
        raise ValueError(
            f"{REPEAT_WINDOW_ENV}={text!r} is not a number of days from 1 to 90; unset it for "
            "the default of 7"
        )
    return int(text)


REPEAT_WINDOW_DAYS = _repeat_window_days()
"""A contact is a repeat when the same customer made another within this many days before it
(`CCPULSE_REPEAT_WINDOW_DAYS`, 7 by default). Figures already computed keep the window they were
computed with: after changing it, recompute history with `ccpulse backfill --recompute-only`."""

REPEATS = DailyAggregate(
    name="repeats",
    reads=("contacts",),
    dimensions=tuple(_CONTACT_DIMENSIONS),
    parts=(
        Part("inbound_contacts", "offered", "", description="inbound contacts (first legs)"),
        Part("repeat_contacts", "offered", "", description="of those, repeats"),
    ),
    description="inbound contacts and repeat contacts, at the hour the contact was offered",
)

RESOLUTIONS = DailyAggregate(
    name="resolutions",
    reads=("contacts",),
    dimensions=tuple(_CONTACT_DIMENSIONS),
    parts=(
        Part(
            "derived_known",
            "offered",
            "",
            description="handled inbound contacts without a stated outcome whose repeat window "
            "has closed or holds a repeat",
        ),
        Part("derived_resolved", "offered", "", description="of those, without a repeat"),
    ),
    description="first contact resolution derived from the repeat window, for contacts whose "
    "source states no outcome, at the hour the contact was offered",
)

STATED_OUTCOME_CHANNELS: tuple[str, ...] = ("email",)
"""Channels whose source states the outcome when it is known (a ticket is solved, or reopened):
their first contact resolution is never derived."""

CHAT_CHANNELS: tuple[str, ...] = ("chat", "messaging")
"""Channels whose conversations an agent may hold several of at once."""

# A stretch of overlapping conversations is cut at this length: recomputing a day reads the
# conversations that ended in the day before it, not further back.
MAX_CHAT_STRETCH_DAYS = 1

CONCURRENCY = DailyAggregate(
    name="concurrency",
    reads=("contacts", "employees"),
    dimensions=_AGENT_KEYS,
    parts=(
        Part(
            "chat_handle_s",
            "completed",
            "",
            "sum",
            "handle time (talk + hold + wrap-up) of chat and messaging legs, at their end",
        ),
        Part(
            "chat_busy_s",
            "completed",
            "",
            "sum",
            "wall-clock seconds the agent had at least one of them open, per stretch of "
            "overlapping conversations, at the stretch's end",
        ),
    ),
    description="chat concurrency per agent (the agent's channel and skill group), by the hour "
    "a conversation or a stretch of them ended",
)

DAILY_AGGREGATES: Mapping[str, DailyAggregate] = MappingProxyType(
    {
        aggregate.name: aggregate
        for aggregate in (ADHERENCE, LABOUR, REPEATS, CONCURRENCY, RESOLUTIONS)
    }
)

AggregateSource = Fact | DailyAggregate
"""Anything a KPI reads its parts from: `cc.agg_<name>`, keyed by hour and breakdown."""

SOURCES: Mapping[str, AggregateSource] = MappingProxyType({**FACTS, **DAILY_AGGREGATES})
