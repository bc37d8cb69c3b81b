"""The oracle: every KPI of KPIS.md computed in plain Python from the simulated events.

It shares nothing with `kpi_views/`. Each record is read as it stands at the world's clock
(the same view the vendor APIs serve), so a connector that loads the APIs and a transform that
follows KPIS.md reproduce these figures. The choices KPIS.md leaves open (which instant anchors
a measure, what a leg is) are written in sandbox/README.md.

Ratio KPIs are built from measure events `(instant, dimensions, numerator, denominator)` summed
per period and breakdown, then divided, never averaged.
"""

from __future__ import annotations

import bisect
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sandbox import catalog, events
from sandbox.timeutil import DAY_MS, floor_period, iso_s, next_period
from sandbox.world import Activity, Leg, World

logger = logging.getLogger(__name__)

DIMENSIONS = ("channel", "skill", "skill_group", "agent")
GRAINS = ("hour", "day", "week", "month", "all")
REPEAT_WINDOW_MS = 7 * DAY_MS
RETENTION_LOOKBACK_MS = 90 * DAY_MS
SERVICE_LEVEL_T_S = 20
SHORT_ABANDON_S = 5
SUPPRESS_UNDER = 5
SUPPRESSED = ("employee_satisfaction_score", "employee_engagement_score")

Dims = dict[str, str]
Event = tuple[int, Dims, float, float]


@dataclass(frozen=True)
class Kpi:
    """One KPI: how its events are built and how a value is read from their sums."""

    kpi_id: str
    family: str
    scale: float
    ratio: bool
    dims: tuple[str, ...] = DIMENSIONS


def _k(
    kpi_id: str,
    family: str,
    scale: float = 100.0,
    ratio: bool = True,
    dims: tuple[str, ...] = DIMENSIONS,
) -> Kpi:
    return Kpi(kpi_id, family, scale, ratio, dims)


AGENT_DIMS = ("channel", "skill_group", "agent")
KPIS: dict[str, Kpi] = {
    kpi.kpi_id: kpi
    for kpi in (
        _k("csat", "surveys"),
        _k("csat_mean_score", "surveys", 1.0),
        _k("nps", "surveys"),
        _k("ces", "surveys"),
        _k("ces_mean_score", "surveys", 1.0),
        _k("customer_retention_rate", "retention"),
        _k("customer_churn_rate", "retention"),
        _k("customer_lifetime_value", "clv", 1.0, False, ("channel",)),
        _k("clv_to_cac_ratio", "clv", 1.0, False, ("channel",)),
        _k("qa_score", "qa", 1.0),
        _k("call_quality_score", "qa", 1.0),
        _k("contact_quality_score", "qa", 1.0),
        _k("escalation_rate", "legs"),
        _k("first_contact_resolution_rate", "contacts"),
        _k("average_handle_time", "legs", 1.0),
        _k("average_speed_of_answer", "legs", 1.0),
        _k("occupancy_rate", "states", dims=AGENT_DIMS),
        _k("script_adherence_rate", "qa"),
        _k("schedule_adherence_rate", "states", dims=AGENT_DIMS),
        _k("agent_utilization_rate", "states", dims=AGENT_DIMS),
        _k("average_after_call_work_time", "legs", 1.0),
        _k("average_talk_time", "legs", 1.0),
        _k("cost_per_contact", "costs", 1.0, dims=AGENT_DIMS),
        _k("cost_per_acquisition", "acquisition", 1.0, dims=("channel",)),
        _k("employee_attrition_rate", "attrition", dims=AGENT_DIMS),
        _k("employee_satisfaction_score", "surveys", dims=AGENT_DIMS),
        _k("employee_engagement_score", "surveys", 1.0, dims=AGENT_DIMS),
        _k("average_response_time", "responses", 1.0),
        _k("first_response_time", "responses", 1.0),
        _k("service_level", "legs"),
        _k("abandonment_rate", "legs"),
        _k("average_abandon_time", "legs", 1.0),
        _k("transfer_rate", "legs"),
        _k("average_hold_time", "legs", 1.0),
        _k("repeat_contact_rate", "contacts"),
        _k("contacts_offered", "legs", 1.0, False),
        _k("contacts_handled", "legs", 1.0, False),
        _k("chat_concurrency", "concurrency", 1.0, dims=AGENT_DIMS),
        _k("shrinkage", "states", dims=AGENT_DIMS),
        _k("survey_response_rate", "surveys"),
    )
}
KPI_IDS = tuple(KPIS)


class TruthError(ValueError):
    """A truth request the oracle cannot answer (unknown KPI, grain or dimension)."""


# --- the world as of its clock ----------------------------------------------------------------


class Snapshot:
    """The visible records of a world at its clock, computed once per truth call."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.now = world.now_ms
        self.legs: list[Leg] = []
        self.tickets: dict[int, events.Ticket] = {}
        self.surveys: list[events.Survey] = []
        self.reviews: list[events.Review] = []
        self.states: list[events.State] = []
        self.schedules: list[Activity] = []
        for day in world.visible_days():
            self._load_day(day)
        self.contacts: dict[int, list[Leg]] = defaultdict(list)
        for leg in self.legs:
            self.contacts[leg.contact_id].append(leg)

    def _load_day(self, day: int) -> None:
        batch = self.world.day(day)
        day_tickets = events.tickets(self.world, batch)
        deleted = {cid for cid, ticket in day_tickets.items() if 0 <= ticket.deleted_ms <= self.now}
        self.tickets.update(day_tickets)
        self.legs.extend(
            leg
            for leg in batch.legs
            if leg.offered_ms <= self.now and leg.contact_id not in deleted
        )
        self.surveys.extend(events.surveys(self.world, batch))
        self.reviews.extend(events.reviews(self.world, batch))
        self.states.extend(
            state for state in events.states(self.world, batch) if state.end_ms <= self.now
        )
        self.schedules.extend(
            block
            for block in batch.schedules
            if block.end_ms <= self.now and block.scheduled_at(self.now)
        )

    def agent_dims(self, agent: int) -> Dims:
        record = self.world.agents[agent]
        return {"agent": record.email, "skill_group": record.group, "channel": record.channel}

    def leg_dims(self, leg: Leg) -> Dims:
        if leg.agent >= 0 and leg.answered_ms <= self.now:
            group = self.world.agents[leg.agent].group
            return {
                "channel": leg.channel,
                "skill": leg.skill,
                "skill_group": group,
                "agent": self.world.agents[leg.agent].email,
            }
        group = catalog.SKILL_BY_NAME[leg.skill].group
        return {"channel": leg.channel, "skill": leg.skill, "skill_group": group}


def answered(leg: Leg, now: int) -> bool:
    return leg.handled and leg.answered_ms <= now


def complete(leg: Leg, now: int) -> bool:
    return leg.handled and leg.acw_end_ms <= now


def abandoned(leg: Leg, now: int) -> bool:
    return leg.abandoned and leg.end_ms <= now


# --- measure events per family ------------------------------------------------------------


def leg_events(snap: Snapshot, kpi_id: str) -> Iterator[Event]:
    now = snap.now
    for leg in snap.legs:
        dims = snap.leg_dims(leg)
        wait_s = (leg.answered_ms - leg.offered_ms) / 1000
        if kpi_id in (
            "contacts_offered",
            "abandonment_rate",
            "service_level",
            "average_abandon_time",
        ):
            yield from _offer_events(leg, now, dims, kpi_id, wait_s)
        elif kpi_id == "average_speed_of_answer":
            if answered(leg, now):
                yield leg.answered_ms, dims, wait_s, 1
        elif complete(leg, now):
            yield from _handled_events(snap, leg, dims, kpi_id)


def _offer_events(leg: Leg, now: int, dims: Dims, kpi_id: str, wait_s: float) -> Iterator[Event]:
    lost = abandoned(leg, now)
    if kpi_id == "contacts_offered":
        yield leg.offered_ms, dims, 1, 0
    elif kpi_id == "abandonment_rate":
        yield leg.offered_ms, dims, float(lost), 1
    elif kpi_id == "average_abandon_time" and lost:
        yield leg.offered_ms, dims, (leg.end_ms - leg.offered_ms) / 1000, 1
    elif kpi_id == "service_level":
        if answered(leg, now):
            yield leg.offered_ms, dims, float(wait_s <= SERVICE_LEVEL_T_S), 1
        elif lost and (leg.end_ms - leg.offered_ms) / 1000 > SHORT_ABANDON_S:
            yield leg.offered_ms, dims, 0, 1


def _handled_events(snap: Snapshot, leg: Leg, dims: Dims, kpi_id: str) -> Iterator[Event]:
    at = leg.acw_end_ms
    talk_s, hold_s, acw_s = leg.talk_ms / 1000, leg.hold_ms / 1000, leg.acw_ms / 1000
    if kpi_id == "contacts_handled":
        yield at, dims, 1, 0
    elif kpi_id == "average_handle_time":
        yield at, dims, talk_s + hold_s + acw_s, 1
    elif kpi_id == "average_talk_time":
        yield at, dims, talk_s, 1
    elif kpi_id == "average_after_call_work_time":
        yield at, dims, acw_s, 1
    elif kpi_id == "average_hold_time" and leg.hold_ms > 0:
        yield at, dims, hold_s, 1
    elif kpi_id == "transfer_rate":
        yield at, dims, float(leg.transferred), 1
    elif kpi_id == "escalation_rate":
        yield at, dims, float(escalated(snap, leg)), 1


def escalated(snap: Snapshot, leg: Leg) -> bool:
    if leg.channel == "email":
        ticket = snap.tickets.get(leg.contact_id)
        return bool(ticket and ticket.escalated)
    return leg.escalated


def concurrency_events(snap: Snapshot, kpi_id: str) -> Iterator[Event]:
    """Chat handle time (at each end of handling) over the agent's wall-clock time on chats
    (each stretch of overlapping conversations, at its end)."""
    spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for leg in snap.legs:
        if leg.channel in ("chat", "messaging") and complete(leg, snap.now):
            handle_s = (leg.talk_ms + leg.hold_ms + leg.acw_ms) / 1000
            yield leg.acw_end_ms, snap.agent_dims(leg.agent), handle_s, 0
            spans[leg.agent].append((leg.answered_ms, leg.acw_end_ms))
    for agent, items in spans.items():
        for start, end in _merged(items):
            yield end, snap.agent_dims(agent), 0, (end - start) / 1000


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def contact_events(snap: Snapshot, kpi_id: str) -> Iterator[Event]:
    """FCR and repeat contacts: one event per contact, at its first leg's offer time."""
    by_customer: dict[int, list[int]] = defaultdict(list)
    for legs in snap.contacts.values():
        by_customer[legs[0].customer].append(legs[0].offered_ms)
    for times in by_customer.values():
        times.sort()
    for legs in snap.contacts.values():
        first = legs[0]
        times = by_customer[first.customer]
        dims = snap.leg_dims(first)
        if kpi_id == "repeat_contact_rate":
            before = any(first.offered_ms - REPEAT_WINDOW_MS <= t < first.offered_ms for t in times)
            yield first.offered_ms, dims, float(before), 1
            continue
        if not answered(first, snap.now):
            continue
        resolved = fcr_flag(snap, legs, times)
        if resolved is not None:
            yield first.offered_ms, dims, float(resolved), 1


def fcr_flag(snap: Snapshot, legs: list[Leg], times: list[int]) -> bool | None:
    """The source's own flag where it states one, else no repeat within seven days."""
    first, last = legs[0], legs[-1]
    if first.channel == "email":
        ticket = snap.tickets[first.contact_id]
        if ticket.solved_ms < 0 or ticket.solved_ms > snap.now:
            return None
        return not 0 <= ticket.reopened_ms <= snap.now
    if first.channel == "voice":
        if not complete(last, snap.now):
            return None
        stated = catalog.WRAPUP_CODES.get(last.wrapup)
        if stated is not None:
            return stated
    later = [t for t in times if first.offered_ms < t <= first.offered_ms + REPEAT_WINDOW_MS]
    if later:
        return False
    if first.offered_ms + REPEAT_WINDOW_MS <= snap.now:
        return True
    return None


def response_events(snap: Snapshot, kpi_id: str) -> Iterator[Event]:
    for legs in snap.contacts.values():
        first = legs[0]
        if first.channel == "voice":
            continue
        ticket = snap.tickets.get(first.contact_id)
        replies = _replies(snap.world, first, ticket, snap.now)
        for number, (reply_ms, waited_ms) in enumerate(replies):
            dims = snap.leg_dims(first)
            if kpi_id == "average_response_time":
                yield reply_ms, dims, waited_ms / 1000, 1
            elif number == 0:
                yield reply_ms, dims, (reply_ms - first.offered_ms) / 1000, 1


def _replies(
    world: World, leg: Leg, ticket: events.Ticket | None, now: int
) -> list[tuple[int, int]]:
    """(reply instant, ms since the earliest unanswered customer message) per agent reply."""
    waiting_since = -1
    found: list[tuple[int, int]] = []
    for message in events.messages(world, leg, ticket):
        if message.at_ms > now:
            break
        if message.role == events.CUSTOMER and waiting_since < 0:
            waiting_since = message.at_ms
        elif message.role == events.AGENT and waiting_since >= 0:
            found.append((message.at_ms, message.at_ms - waiting_since))
            waiting_since = -1
    return found


def survey_events(snap: Snapshot, kpi_id: str) -> Iterator[Event]:
    now = snap.now
    for survey in snap.surveys:
        dims = _survey_dims(snap, survey)
        if kpi_id == "survey_response_rate":
            if survey.vendor == "zendesk" and survey.sent_ms <= now:
                yield survey.sent_ms, dims, float(0 <= survey.responded_ms <= now), 1
            continue
        if not 0 <= survey.responded_ms <= now:
            continue
        edited = 0 <= survey.edited_ms <= now
        score = survey.edited_score if edited else survey.score
        event = _survey_value(survey, score, kpi_id)
        # A Zendesk rating keeps only its last answer time (`updated_at`): an edited rating is
        # a new submission. Delighted keeps the first (`created_at`) beside `updated_at`.
        at = survey.edited_ms if edited and survey.vendor == "zendesk" else survey.responded_ms
        if event is not None:
            yield at, dims, event[0], event[1]


def _survey_dims(snap: Snapshot, survey: events.Survey) -> Dims:
    dims = snap.agent_dims(survey.agent)
    if survey.kind in ("esat", "engagement"):
        return dims
    dims["channel"] = survey.channel
    dims["skill"] = survey.skill
    return dims


def _survey_value(survey: events.Survey, score: int, kpi_id: str) -> tuple[float, float] | None:
    kind = survey.kind
    if kpi_id == "csat" and kind == "csat":
        top = score >= 4 if survey.scale_max == 5 else score == 1
        return float(top), 1
    if kpi_id == "csat_mean_score" and kind == "csat" and survey.scale_max == 5:
        return float(score), 1
    if kpi_id == "nps" and kind == "nps":
        return float(score >= 9) - float(score <= 6), 1
    if kpi_id == "ces" and kind == "ces":
        return float(score >= 5), 1
    if kpi_id == "ces_mean_score" and kind == "ces":
        return float(score), 1
    if kpi_id == "employee_satisfaction_score" and kind == "esat":
        return float(score >= 4), 1
    if kpi_id == "employee_engagement_score" and kind == "engagement":
        return (score - 1) / 4 * 100, 1
    return None


def qa_events(snap: Snapshot, kpi_id: str) -> Iterator[Event]:
    for review in snap.reviews:
        if review.created_ms > snap.now or review.calibration:
            continue
        leg = review.leg
        ratings = review.edited_ratings if 0 <= review.edited_ms <= snap.now else review.ratings
        dims = snap.leg_dims(leg)
        if kpi_id == "script_adherence_rate":
            required, met = events.script_items(ratings)
            yield review.created_ms, dims, met, required
            continue
        if kpi_id == "call_quality_score" and leg.channel != "voice":
            continue
        if kpi_id == "contact_quality_score" and leg.channel == "voice":
            continue
        yield review.created_ms, dims, events.review_score(ratings), 1


def state_events(snap: Snapshot, kpi_id: str) -> Iterator[Event]:
    if kpi_id == "schedule_adherence_rate":
        yield from _adherence_events(snap)
        return
    for state in snap.states:
        dims = snap.agent_dims(state.agent)
        seconds = (state.end_ms - state.start_ms) / 1000
        working = state.state in ("on_contact", "acw")
        if kpi_id == "occupancy_rate" and (working or state.state == "available"):
            yield state.start_ms, dims, seconds if working else 0.0, seconds
        elif kpi_id == "agent_utilization_rate" and (
            working or state.state in ("training", "meeting")
        ):
            yield state.start_ms, dims, seconds, 0
        elif kpi_id == "shrinkage" and (working or state.state == "available"):
            yield state.start_ms, dims, -seconds, 0
    if kpi_id in ("agent_utilization_rate", "shrinkage"):
        for block in snap.schedules:
            if block.kind not in catalog.UNPAID_ACTIVITIES:
                seconds = (block.end_ms - block.start_ms) / 1000
                paid_num = seconds if kpi_id == "shrinkage" else 0.0
                yield block.start_ms, snap.agent_dims(block.agent), paid_num, seconds


def _adherence_events(snap: Snapshot) -> Iterator[Event]:
    by_agent: dict[int, list[events.State]] = defaultdict(list)
    for state in snap.states:
        by_agent[state.agent].append(state)
    starts: dict[int, list[int]] = {}
    for agent, timeline in by_agent.items():
        timeline.sort(key=lambda state: state.start_ms)
        starts[agent] = [state.start_ms for state in timeline]
    for block in snap.schedules:
        allowed = catalog.ADHERENT_STATES[block.kind]
        timeline = by_agent.get(block.agent, [])
        # States never overlap, so only those starting before the block's end can match, and
        # walking back stops at the first one that ended before the block began.
        position = bisect.bisect_left(starts.get(block.agent, []), block.end_ms) - 1
        matched_ms = 0
        while position >= 0 and timeline[position].end_ms > block.start_ms:
            state = timeline[position]
            if state.state in allowed:
                overlap = min(block.end_ms, state.end_ms) - max(block.start_ms, state.start_ms)
                matched_ms += max(0, overlap)
            position -= 1
        seconds = (block.end_ms - block.start_ms) / 1000
        yield block.start_ms, snap.agent_dims(block.agent), matched_ms / 1000, seconds


def cost_events(snap: Snapshot, kpi_id: str) -> Iterator[Event]:
    """Labour (paid scheduled hours x hourly cost), service cost lines, handled legs."""
    world = snap.world
    for block in snap.schedules:
        if block.kind not in catalog.UNPAID_ACTIVITIES:
            hours = (block.end_ms - block.start_ms) / 3_600_000
            cost = hours * world.agents[block.agent].hourly_cost
            yield block.start_ms, snap.agent_dims(block.agent), cost, 0
    for day in world.visible_days():
        for item in events.cost_items(world, day):
            if item.scope == "service" and item.posted_ms <= snap.now:
                amount = (
                    item.corrected_amount if 0 <= item.corrected_ms <= snap.now else item.amount
                )
                yield item.period_start_ms, {"channel": item.channel}, amount, 0
    for leg in snap.legs:
        if complete(leg, snap.now):
            yield leg.acw_end_ms, snap.leg_dims(leg), 0, 1


def acquisition_events(snap: Snapshot, kpi_id: str) -> Iterator[Event]:
    world = snap.world
    for day in world.visible_days():
        for item in events.cost_items(world, day):
            if item.scope == "acquisition" and item.posted_ms <= snap.now:
                amount = (
                    item.corrected_amount if 0 <= item.corrected_ms <= snap.now else item.amount
                )
                yield item.period_start_ms, {"channel": item.channel}, amount, 0
    for customer in world.customers[: world.customers_acquired_by(snap.now)]:
        if customer.acquired_ms >= world.start_ms:
            yield customer.acquired_ms, {"channel": customer.acquisition_channel}, 0, 1


FAMILIES: dict[str, Callable[[Snapshot, str], Iterator[Event]]] = {
    "legs": leg_events,
    "concurrency": concurrency_events,
    "contacts": contact_events,
    "responses": response_events,
    "surveys": survey_events,
    "qa": qa_events,
    "states": state_events,
    "costs": cost_events,
    "acquisition": acquisition_events,
}


# --- aggregation ----------------------------------------------------------------------------


def _period(ms: int, grain: str) -> int | None:
    return None if grain == "all" else floor_period(ms, grain)


def aggregate(
    kpi: Kpi, stream: Iterable[Event], by: tuple[str, ...], grain: str
) -> list[dict[str, Any]]:
    sums: dict[tuple[int | None, tuple[str, ...]], list[float]] = {}
    respondents: dict[tuple[int | None, tuple[str, ...]], set[str]] = defaultdict(set)
    for at, dims, numerator, denominator in stream:
        if any(name not in dims for name in by):
            continue
        key = (_period(at, grain), tuple(dims[name] for name in by))
        total = sums.setdefault(key, [0.0, 0.0])
        total[0] += numerator
        total[1] += denominator
        if kpi.kpi_id in SUPPRESSED:
            respondents[key].add(dims["agent"])
    rows = []
    for (period, values), (numerator, denominator) in sorted(sums.items(), key=_sort_key):
        row = _row(kpi, period, by, values)
        if not kpi.ratio:
            row["value"] = numerator
        else:
            row["value"] = kpi.scale * numerator / denominator if denominator else None
            row["numerator"], row["denominator"] = numerator, denominator
        if kpi.kpi_id in SUPPRESSED and len(respondents[(period, values)]) < SUPPRESS_UNDER:
            row["value"] = row["numerator"] = row["denominator"] = None
        rows.append(row)
    return rows


def _sort_key(
    item: tuple[tuple[int | None, tuple[str, ...]], list[float]],
) -> tuple[int, tuple[str, ...]]:
    (period, values), _ = item
    return (-1 if period is None else period, values)


def _row(
    kpi: Kpi, period: int | None, by: tuple[str, ...], values: tuple[str, ...]
) -> dict[str, Any]:
    row: dict[str, Any] = {"kpi": kpi.kpi_id, "period": None if period is None else iso_s(period)}
    row.update(zip(by, values, strict=True))
    return row


# --- levels at an instant: retention, churn, attrition, lifetime value ----------------------


def periods(world: World, grain: str) -> list[tuple[int | None, int, int]]:
    """(label, start, end) of every period from the world's start to its clock."""
    if grain == "all":
        return [(None, world.start_ms, world.now_ms)]
    found: list[tuple[int | None, int, int]] = []
    start = floor_period(world.start_ms, grain)
    while start < world.now_ms:
        end = next_period(start, grain)
        found.append((start, start, min(end, world.now_ms)))
        start = end
    return found


def retention_rows(
    snap: Snapshot, kpi: Kpi, by: tuple[str, ...], grain: str
) -> list[dict[str, Any]]:
    world = snap.world
    handled = [leg for leg in snap.legs if answered(leg, snap.now)]
    rows = []
    for label, start, end in periods(world, grain):
        cohorts: dict[tuple[str, ...], set[int]] = defaultdict(set)
        active = [
            c for c in world.customers[: world.customers_acquired_by(start)] if c.active_at(start)
        ]
        if by:
            for leg in handled:
                if start - RETENTION_LOOKBACK_MS <= leg.answered_ms < start:
                    dims = snap.leg_dims(leg)
                    if all(name in dims for name in by):
                        cohorts[tuple(dims[name] for name in by)].add(leg.customer)
            active_ids = {c.idx for c in active}
            cohorts = {key: ids & active_ids for key, ids in cohorts.items()}
        else:
            cohorts[()] = {c.idx for c in active}
        for values, ids in sorted(cohorts.items()):
            if not ids:
                continue
            kept = sum(world.customers[i].active_at(end) for i in ids)
            numerator = kept if kpi.kpi_id == "customer_retention_rate" else len(ids) - kept
            row = _row(kpi, label, by, values)
            row.update(value=100 * numerator / len(ids), numerator=numerator, denominator=len(ids))
            rows.append(row)
    return rows


def attrition_rows(
    snap: Snapshot, kpi: Kpi, by: tuple[str, ...], grain: str
) -> list[dict[str, Any]]:
    world = snap.world
    known = [a for a in world.agents if a.hired_ms - 21 * DAY_MS <= snap.now]
    rows = []
    for label, start, end in periods(world, grain):
        first_day = start - start % DAY_MS
        days = range(first_day, max(end, first_day + 1), DAY_MS)
        separations: dict[tuple[str, ...], float] = defaultdict(float)
        headcount: dict[tuple[str, ...], float] = defaultdict(float)
        for agent in known:
            dims = snap.agent_dims(agent.idx)
            key = tuple(dims[name] for name in by)
            terminated = agent.terminated_ms
            if terminated is not None and terminated - 14 * DAY_MS > snap.now:
                terminated = None
            headcount[key] += sum(
                agent.hired_ms <= day and (terminated is None or day <= terminated) for day in days
            ) / len(days)
            if terminated is not None and start <= terminated < end:
                separations[key] += 1
        for values in sorted(headcount):
            if headcount[values] == 0:
                continue
            row = _row(kpi, label, by, values)
            numerator, denominator = separations[values], headcount[values]
            row.update(
                value=100 * numerator / denominator, numerator=numerator, denominator=denominator
            )
            rows.append(row)
    return rows


def clv_rows(snap: Snapshot, kpi: Kpi, by: tuple[str, ...], grain: str) -> list[dict[str, Any]]:
    """Lifetime value per acquisition channel: ARPC x gross margin / churn rate."""
    world = snap.world
    all_deals = [
        deal
        for day in world.visible_days()
        for deal in events.deals(world, day)
        if deal.closed_ms <= snap.now and not 0 <= deal.archived_ms <= snap.now
    ]
    cac = {
        (r["period"], r.get("channel")): r["value"]
        for r in aggregate(KPIS["cost_per_acquisition"], acquisition_events(snap, ""), by, grain)
    }
    rows = []
    for label, start, end in periods(world, grain):
        groups: dict[tuple[str, ...], list[events.Deal]] = defaultdict(list)
        for deal in all_deals:
            if start <= deal.closed_ms < end:
                channel = world.customers[deal.customer].acquisition_channel
                groups[(channel,) if by else ()].append(deal)
        for values, found in sorted(groups.items()):
            churn = _churn_fraction(world, start, end, values[0] if values else None)
            revenue = sum(deal.amount for deal in found)
            customers = len({deal.customer for deal in found})
            margin = sum(deal.amount * deal.gross_margin for deal in found) / revenue
            clv = revenue / customers * margin / churn if churn else None
            row = _row(kpi, label, by, values)
            if kpi.kpi_id == "customer_lifetime_value":
                row["value"] = clv
            else:
                cost = cac.get((row["period"], values[0] if values else None))
                row["value"] = clv / cost if clv is not None and cost else None
            rows.append(row)
    return rows


def _churn_fraction(world: World, start: int, end: int, channel: str | None) -> float:
    cohort = [
        c
        for c in world.customers[: world.customers_acquired_by(start)]
        if c.active_at(start) and (channel is None or c.acquisition_channel == channel)
    ]
    if not cohort:
        return 0.0
    return sum(not c.active_at(end) for c in cohort) / len(cohort)


# --- entry point ----------------------------------------------------------------------------


def truth(
    world: World,
    kpi: str | None = None,
    by: Iterable[str] = (),
    grain: str = "day",
) -> list[dict[str, Any]]:
    """True values of one KPI (or all), per period and breakdown, as of the world's clock.

    Each row: `kpi`, `period` (ISO start in UTC, None for `all`), one key per dimension in
    `by` (agents by e-mail), `value`, and for ratio KPIs `numerator` and `denominator`.
    A KPI that cannot be broken down by a requested dimension yields no rows.
    """
    by = tuple(by)
    _check(kpi, by, grain)
    snap = Snapshot(world)
    rows: list[dict[str, Any]] = []
    for item in [KPIS[kpi]] if kpi else KPIS.values():
        if any(name not in item.dims for name in by):
            continue
        rows.extend(_rows(snap, item, by, grain))
    if kpi is not None:
        # One KPI asked for: the rows have the shape of `ccpulse kpi`, without a `kpi` key.
        for row in rows:
            del row["kpi"]
    return rows


def _rows(snap: Snapshot, kpi: Kpi, by: tuple[str, ...], grain: str) -> list[dict[str, Any]]:
    if kpi.family == "retention":
        return retention_rows(snap, kpi, by, grain)
    if kpi.family == "attrition":
        return attrition_rows(snap, kpi, by, grain)
    if kpi.family == "clv":
        return clv_rows(snap, kpi, by, grain)
    return aggregate(kpi, FAMILIES[kpi.family](snap, kpi.kpi_id), by, grain)


def _check(kpi: str | None, by: tuple[str, ...], grain: str) -> None:
    if kpi is not None and kpi not in KPIS:
        raise TruthError(f"unknown KPI `{kpi}`; known: {', '.join(KPIS)}")
    unknown = [name for name in by if name not in DIMENSIONS]
    if unknown:
        raise TruthError(f"unknown dimension `{unknown[0]}`; use {', '.join(DIMENSIONS)}")
    if grain not in GRAINS:
        raise TruthError(f"unknown grain `{grain}`; use {', '.join(GRAINS)}")
