"""What follows a contact, generated lazily per day: messages, tickets, surveys, QA reviews,
agent states, revenue, costs and employee pulse surveys.

Each function derives its own random stream from (seed, kind, day), so asking for QA reviews
does not change the surveys. Records carry the instants of their later changes (an edited
score, a reopened ticket, a deletion); `sandbox.views` shows them as of the clock.
"""

from __future__ import annotations

import itertools
import logging
import random
from dataclasses import dataclass

from sandbox import catalog
from sandbox.rand import rng
from sandbox.timeutil import DAY_MS, HOUR_MS, SECOND_MS, to_datetime
from sandbox.world import FLAG_TICKET_DELETED, Activity, DayBatch, Leg, World

logger = logging.getLogger(__name__)

CUSTOMER = "customer"
AGENT = "agent"
NOTE = "note"


@dataclass(slots=True)
class Message:
    """One message of a digital conversation: a customer message, agent reply or internal note."""

    at_ms: int
    role: str
    agent: int


@dataclass(slots=True)
class Ticket:
    """The lifecycle of an e-mail contact in Zendesk."""

    leg: Leg
    solved_ms: int
    reopened_ms: int
    second_reply_ms: int
    deleted_ms: int
    escalated: bool

    def final_solved_ms(self) -> int:
        return self.second_reply_ms if self.reopened_ms >= 0 else self.solved_ms


@dataclass(slots=True)
class Survey:
    """A survey response (or, for Zendesk, a rating offered and maybe answered)."""

    survey_id: int
    vendor: str
    kind: str
    scale_min: int
    scale_max: int
    score: int
    sent_ms: int
    responded_ms: int
    edited_ms: int
    edited_score: int
    contact_id: int
    customer: int
    agent: int
    channel: str
    skill: str


@dataclass(slots=True)
class Review:
    """A Zendesk QA review of one handled leg."""

    review_id: int
    leg: Leg
    reviewer: int
    created_ms: int
    ratings: list[tuple[str, int | None]]
    edited_ms: int
    edited_ratings: list[tuple[str, int | None]]
    calibration: bool


@dataclass(slots=True)
class State:
    """An agent state interval (Assembled)."""

    state_id: int
    agent: int
    state: str
    start_ms: int
    end_ms: int


@dataclass(slots=True)
class Deal:
    """A HubSpot deal: one monthly payment of a customer."""

    deal_id: int
    customer: int
    closed_ms: int
    amount: float
    gross_margin: float
    archived_ms: int


@dataclass(slots=True)
class CostItem:
    """A cost line (HubSpot custom object `cost_items`): one day, one scope, one channel."""

    cost_id: int
    scope: str
    channel: str
    period_start_ms: int
    period_end_ms: int
    amount: float
    posted_ms: int
    corrected_ms: int
    corrected_amount: float


def _cached(batch: DayBatch, key: str) -> object | None:
    return batch.extras.get(key)


# --- messages and tickets -------------------------------------------------------------------


def messages(world: World, leg: Leg, ticket: Ticket | None = None) -> list[Message]:
    """The messages of a digital leg, placed deterministically inside its handling time.

    A day may pin its own messages in `extras["messages"]` (by contact id), for hand-made tests.
    """
    pinned = world.day(world.day_of(leg.offered_ms)).extras.get("messages")
    if isinstance(pinned, dict) and leg.contact_id in pinned:
        return list(pinned[leg.contact_id])
    found = [Message(leg.offered_ms, CUSTOMER, -1)]
    if not leg.handled:
        return found
    if leg.channel == "email":
        found.append(Message(leg.end_ms, AGENT, leg.agent))
        if ticket is not None and ticket.reopened_ms >= 0:
            found.append(Message(ticket.reopened_ms, CUSTOMER, -1))
            found.append(Message(ticket.second_reply_ms, AGENT, leg.agent))
        return found
    stream = random.Random(leg.contact_id * 7919 + world.seed)
    span_s = (leg.end_ms - leg.answered_ms) // SECOND_MS
    exchanges = 1 + stream.randrange(4)
    previous_s = 0
    for number in range(exchanges):
        reply_s = max(previous_s + 2, int(span_s * (number + 1) / (exchanges + 1)))
        if reply_s >= span_s:
            break
        if number:
            asked_s = previous_s + max(1, (reply_s - previous_s) // 2)
            found.append(Message(leg.answered_ms + asked_s * SECOND_MS, CUSTOMER, -1))
        found.append(Message(leg.answered_ms + reply_s * SECOND_MS, AGENT, leg.agent))
        previous_s = reply_s
    if stream.random() < 0.2 and previous_s + 1 < span_s:
        found.append(Message(leg.answered_ms + (previous_s + 1) * SECOND_MS, NOTE, leg.agent))
    return found


def tickets(world: World, batch: DayBatch) -> dict[int, Ticket]:
    """E-mail tickets of the day by contact id: solve, reopen, second reply, deletion."""
    cached = _cached(batch, "tickets")
    if isinstance(cached, dict):
        return cached
    stream = rng(world.seed, "tickets", batch.day)
    found: dict[int, Ticket] = {}
    for leg in batch.legs:
        if leg.channel != "email":
            continue
        reopened = second = deleted = -1
        if leg.flags & FLAG_TICKET_DELETED:
            deleted = leg.offered_ms + stream.randint(1, 48) * HOUR_MS
        elif leg.handled and stream.random() < 0.1:
            reopened = leg.end_ms + stream.randint(2 * 3600, 72 * 3600) * SECOND_MS
            second = reopened + stream.randint(600, 8 * 3600) * SECOND_MS
        solved = leg.end_ms if leg.handled else -1
        escalated = bool(leg.flags & 2) and leg.handled
        found[leg.contact_id] = Ticket(leg, solved, reopened, second, deleted, escalated)
    batch.extras["tickets"] = found
    return found


# --- surveys ----------------------------------------------------------------------------------

CSAT_WEIGHTS = (0.05, 0.07, 0.13, 0.35, 0.40)
NPS_WEIGHTS = (0.02, 0.01, 0.02, 0.03, 0.03, 0.06, 0.08, 0.12, 0.18, 0.2, 0.25)
CES_WEIGHTS = (0.03, 0.04, 0.08, 0.15, 0.2, 0.25, 0.25)


def surveys(world: World, batch: DayBatch) -> list[Survey]:
    """Customer surveys of the day's contacts and, on Fridays, the employee pulse."""
    cached = _cached(batch, "surveys")
    if isinstance(cached, list):
        return cached
    stream = rng(world.seed, "surveys", batch.day)
    day_tickets = tickets(world, batch)
    found: list[Survey] = []
    for contact_id, legs in batch.contacts().items():
        last = legs[-1]
        if not last.handled or (
            contact_id in day_tickets and day_tickets[contact_id].deleted_ms >= 0
        ):
            continue
        done_ms = last.acw_end_ms
        if last.channel == "email":
            found.extend(_zendesk_rating(stream, day_tickets[contact_id], len(found), batch.day))
        elif stream.random() < 0.3:
            found.append(
                _delighted(stream, last, "csat", 1, CSAT_WEIGHTS, done_ms, batch.day, len(found))
            )
        if stream.random() < 0.1:
            found.append(
                _delighted(stream, last, "nps", 0, NPS_WEIGHTS, done_ms, batch.day, len(found))
            )
        if stream.random() < 0.1:
            found.append(
                _delighted(stream, last, "ces", 1, CES_WEIGHTS, done_ms, batch.day, len(found))
            )
    found.extend(_pulse(world, batch, stream, len(found)))
    batch.extras["surveys"] = found
    return found


def _survey_id(day: int, number: int) -> int:
    return (day + 1) * 1_000_000 + number


def _delighted(
    stream: random.Random,
    leg: Leg,
    kind: str,
    low: int,
    weights: tuple[float, ...],
    done_ms: int,
    day: int,
    number: int,
) -> Survey:
    scores = range(low, low + len(weights))
    score = stream.choices(scores, weights)[0]
    sent = done_ms - done_ms % SECOND_MS + stream.randint(60, 600) * SECOND_MS
    responded = sent + stream.randint(120, 36 * 3600) * SECOND_MS
    edited, edited_score = -1, score
    if stream.random() < 0.05:
        edited = responded + stream.randint(3600, 72 * 3600) * SECOND_MS
        edited_score = stream.choice([value for value in scores if value != score])
    return Survey(
        _survey_id(day, number),
        "delighted",
        kind,
        low,
        low + len(weights) - 1,
        score,
        sent,
        responded,
        edited,
        edited_score,
        leg.contact_id,
        leg.customer,
        leg.agent,
        leg.channel,
        leg.skill,
    )


def _zendesk_rating(stream: random.Random, ticket: Ticket, number: int, day: int) -> list[Survey]:
    """A good/bad satisfaction rating offered one hour after the solve; scale 0 (bad)-1 (good)."""
    leg = ticket.leg
    if stream.random() >= 0.6:
        return []
    offered = ticket.solved_ms + HOUR_MS
    responded, score, edited, edited_score = -1, -1, -1, -1
    if stream.random() < 0.55:
        responded = offered + stream.randint(600, 48 * 3600) * SECOND_MS
        score = 1 if stream.random() < 0.8 else 0
        edited_score = score
        if stream.random() < 0.05:
            edited = responded + stream.randint(3600, 48 * 3600) * SECOND_MS
            edited_score = 1 - score
    return [
        Survey(
            _survey_id(day, number),
            "zendesk",
            "csat",
            0,
            1,
            score,
            offered,
            responded,
            edited,
            edited_score,
            leg.contact_id,
            leg.customer,
            leg.agent,
            leg.channel,
            leg.skill,
        )
    ]


def _pulse(world: World, batch: DayBatch, stream: random.Random, number: int) -> list[Survey]:
    """Weekly employee pulse (Fridays): eSat and engagement on 1-5, one answer per agent."""
    day_ms = world.start_ms + batch.day * DAY_MS
    if to_datetime(day_ms).weekday() != 4:
        return []
    found: list[Survey] = []
    for agent in world.agents:
        if not agent.employed_on(day_ms):
            continue
        for kind in ("esat", "engagement"):
            if stream.random() < 0.6:
                sent = day_ms + 15 * HOUR_MS
                responded = sent + stream.randint(60, 8 * 3600) * SECOND_MS
                score = stream.choices(range(1, 6), (0.05, 0.1, 0.25, 0.35, 0.25))[0]
                found.append(
                    Survey(
                        _survey_id(batch.day, number + len(found)),
                        "delighted",
                        kind,
                        1,
                        5,
                        score,
                        sent,
                        responded,
                        -1,
                        score,
                        0,
                        -1,
                        agent.idx,
                        agent.channel,
                        "",
                    )
                )
    return found


# --- QA ---------------------------------------------------------------------------------------


def reviews(world: World, batch: DayBatch) -> list[Review]:
    """QA reviews of about 6 % of the day's handled legs, a tenth of them calibrations."""
    cached = _cached(batch, "reviews")
    if isinstance(cached, list):
        return cached
    stream = rng(world.seed, "reviews", batch.day)
    day_tickets = tickets(world, batch)
    found: list[Review] = []
    for leg in batch.legs:
        ticket = day_tickets.get(leg.contact_id)
        deleted = ticket is not None and ticket.deleted_ms >= 0
        if not leg.handled or stream.random() >= 0.06 or deleted:
            continue
        created = leg.acw_end_ms + stream.randint(24 * 3600, 5 * 24 * 3600) * SECOND_MS
        ratings = _ratings(stream)
        edited, edited_ratings = -1, ratings
        if stream.random() < 0.08:
            edited = created + stream.randint(3600, 48 * 3600) * SECOND_MS
            edited_ratings = _flip_one(stream, ratings)
        found.append(
            Review(
                (batch.day + 1) * 100_000 + len(found),
                leg,
                stream.randrange(3),
                created,
                ratings,
                edited,
                edited_ratings,
                stream.random() < 0.1,
            )
        )
    batch.extras["reviews"] = found
    return found


def _ratings(stream: random.Random) -> list[tuple[str, int | None]]:
    found: list[tuple[str, int | None]] = []
    for name, group, _weight, critical in catalog.QA_CATEGORIES:
        if group == "Script" and not critical and name != "Greeting" and stream.random() < 0.1:
            found.append((name, None))
            continue
        chance = 0.93 if critical else 0.85 if group == "Script" else 0.8
        found.append((name, 100 if stream.random() < chance else 0))
    return found


def _flip_one(
    stream: random.Random, ratings: list[tuple[str, int | None]]
) -> list[tuple[str, int | None]]:
    position = stream.randrange(len(ratings))
    name, score = ratings[position]
    flipped = list(ratings)
    flipped[position] = (name, None if score is None else 100 - score)
    return flipped


def review_score(ratings: list[tuple[str, int | None]]) -> float:
    """Weighted share of points on applicable items; 0 when a critical item fails."""
    points = weights = 0.0
    for (_name, score), (_, _group, weight, critical) in zip(
        ratings, catalog.QA_CATEGORIES, strict=True
    ):
        if score is None:
            continue
        if critical and score == 0:
            return 0.0
        points += weight * score
        weights += weight
    return points / weights if weights else 0.0


def script_items(ratings: list[tuple[str, int | None]]) -> tuple[int, int]:
    """(required script items applicable, met)."""
    required = met = 0
    for (_name, score), (_, group, _weight, _critical) in zip(
        ratings, catalog.QA_CATEGORIES, strict=True
    ):
        if group == "Script" and score is not None:
            required += 1
            met += score == 100
    return required, met


# --- agent states ---------------------------------------------------------------------------

BASE_STATE = {
    "on_queue": "available",
    "break": "break",
    "lunch": "break",
    "training": "training",
    "meeting": "meeting",
}


def states(world: World, batch: DayBatch) -> list[State]:
    """The day's agent state timeline: scheduled blocks as actually lived, overlaid by work."""
    cached = _cached(batch, "states")
    if isinstance(cached, list):
        return cached
    base: dict[int, list[tuple[int, int, str]]] = {}
    for block in batch.actual:
        base.setdefault(block.agent, []).append(
            (block.start_ms, block.end_ms, BASE_STATE[block.kind])
        )
    work: dict[int, list[tuple[int, int, str]]] = {}
    for leg in batch.legs:
        if leg.handled:
            spans = work.setdefault(leg.agent, [])
            spans.append((leg.answered_ms, leg.end_ms, "on_contact"))
            if leg.acw_ms:
                spans.append((leg.end_ms, leg.acw_end_ms, "acw"))
    found: list[State] = []
    for agent in sorted(base):
        for start, end, state in _overlay(sorted(base[agent]), _union(work.get(agent, []))):
            state_id = (batch.day + 1) * 10_000_000 + len(found)
            found.append(State(state_id, agent, state, start, end))
    batch.extras["states"] = found
    return found


def _union(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Merge overlapping work (concurrent chats) into one span: on a contact while any lasts."""
    merged: list[tuple[int, int, str]] = []
    for start, end, state in sorted(spans):
        if merged and start < merged[-1][1]:
            first, last, kind = merged[-1]
            merged[-1] = (first, max(last, end), "on_contact" if state == "on_contact" else kind)
        else:
            merged.append((start, end, state))
    return merged


def _overlay(
    base: list[tuple[int, int, str]], work: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """Merge two timelines: work wins where both cover an instant; equal neighbours join."""
    points = sorted({p for span in base + work for p in span[:2]})
    merged: list[tuple[int, int, str]] = []
    base_at = work_at = 0
    for left, right in itertools.pairwise(points):
        while work_at < len(work) and work[work_at][1] <= left:
            work_at += 1
        while base_at < len(base) and base[base_at][1] <= left:
            base_at += 1
        state = None
        if work_at < len(work) and work[work_at][0] <= left:
            state = work[work_at][2]
        elif base_at < len(base) and base[base_at][0] <= left:
            state = base[base_at][2]
        if state is None:
            continue
        if merged and merged[-1][2] == state and merged[-1][1] == left:
            merged[-1] = (merged[-1][0], right, state)
        else:
            merged.append((left, right, state))
    return merged


def schedule_ids(batch: DayBatch) -> list[tuple[int, Activity]]:
    """Scheduled activities with stable ids."""
    return [((batch.day + 1) * 1_000_000 + n, block) for n, block in enumerate(batch.schedules)]


# --- revenue and costs -------------------------------------------------------------------------


def deals(world: World, day: int) -> list[Deal]:
    """Monthly payments falling on one day (billing day = acquisition day of month, max 28)."""
    stream = rng(world.seed, "deals", day)
    day_ms = world.start_ms + day * DAY_MS
    dom = to_datetime(day_ms).day
    found: list[Deal] = []
    if dom > 28:
        return []
    for index in world.customers_billed_on(dom):
        customer = world.customers[index]
        if customer.acquired_ms >= day_ms or not customer.active_at(day_ms):
            continue
        closed = day_ms + stream.randrange(20 * HOUR_MS)
        archived = closed + 3 * DAY_MS if stream.random() < 0.01 else -1
        found.append(
            Deal(
                (day + 1) * 1_000_000 + len(found),
                customer.idx,
                closed,
                customer.monthly_amount,
                customer.gross_margin,
                archived,
            )
        )
    return found


def cost_items(world: World, day: int) -> list[CostItem]:
    """Service costs per contact channel and acquisition spend per acquisition channel."""
    stream = rng(world.seed, "costs", day)
    day_ms = world.start_ms + day * DAY_MS
    posted = day_ms + DAY_MS + 6 * HOUR_MS
    offered: dict[str, int] = {}
    for leg in world.day(day).legs:
        if leg.leg == 1:
            offered[leg.channel] = offered.get(leg.channel, 0) + 1
    found: list[CostItem] = []
    for channel in catalog.CHANNELS:
        amount = catalog.SERVICE_COST_PER_DAY[channel] + catalog.SERVICE_COST_PER_CONTACT[
            channel
        ] * offered.get(channel, 0)
        found.append(_cost(stream, day, len(found), "service", channel, day_ms, posted, amount))
    acquired: dict[str, int] = {}
    first = world.customers_acquired_by(day_ms - 1)
    for customer in world.customers[first : world.customers_acquired_by(day_ms + DAY_MS - 1)]:
        if day_ms <= customer.acquired_ms < day_ms + DAY_MS:
            channel = customer.acquisition_channel
            acquired[channel] = acquired.get(channel, 0) + 1
    for channel in catalog.ACQUISITION_CHANNELS:
        amount = 50 + acquired.get(channel, 0) * catalog.ACQUISITION_CAC[channel] * stream.uniform(
            0.8, 1.2
        )
        found.append(_cost(stream, day, len(found), "acquisition", channel, day_ms, posted, amount))
    return found


def _cost(
    stream: random.Random,
    day: int,
    number: int,
    scope: str,
    channel: str,
    day_ms: int,
    posted: int,
    amount: float,
) -> CostItem:
    corrected, corrected_amount = -1, round(amount, 2)
    if stream.random() < 0.05:
        corrected = posted + 2 * DAY_MS
        corrected_amount = round(amount * stream.uniform(0.9, 1.1), 2)
    return CostItem(
        (day + 1) * 100 + number,
        scope,
        channel,
        day_ms,
        day_ms + DAY_MS,
        round(amount, 2),
        posted,
        corrected,
        corrected_amount,
    )
