"""The simulated contact centre: agents, customers, contacts and everything that follows them.

A world is a pure function of its parameters and seed. Agents and customers are generated up
front for the whole horizon (they are few); contacts are generated one day at a time from a
random stream derived from (seed, day), so any day can be produced on its own, and only a bounded
number of days is kept in memory. The clock moves only when told (`advance`); every API and the
oracle show each record as it stood at the clock's time.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import itertools
import logging
import math
import random
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from sandbox import catalog
from sandbox.rand import rng
from sandbox.timeutil import DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, date_ms, to_datetime

logger = logging.getLogger(__name__)

DEFAULT_START = dt.date(2026, 1, 5)
HORIZON_EXTRA_DAYS = 366
FOLLOW_UP_SHARE = 0.08


@dataclass(slots=True)
class Agent:
    """An employee of the contact centre (one BambooHR employee, one user in every tool)."""

    idx: int
    first_name: str
    last_name: str
    email: str
    group: str
    channel: str
    hired_ms: int
    terminated_ms: int | None
    voluntary: bool | None
    hourly_cost: float
    shift_offset_min: int

    def employed_on(self, day_ms: int) -> bool:
        """Whether the agent is on the payroll on the UTC day starting at `day_ms`."""
        if self.hired_ms > day_ms:
            return False
        return self.terminated_ms is None or day_ms <= self.terminated_ms


@dataclass(slots=True)
class Customer:
    """A customer: a HubSpot contact that became a paying customer."""

    idx: int
    crm_id: int
    email: str
    phone: str
    acquired_ms: int
    acquisition_channel: str
    churned_ms: int | None
    segment: str
    monthly_amount: float
    gross_margin: float

    def active_at(self, ms: int) -> bool:
        """Active = acquired at or before `ms` and not churned at or before it."""
        if self.acquired_ms > ms:
            return False
        return self.churned_ms is None or self.churned_ms > ms


@dataclass(slots=True)
class Leg:
    """One contact leg: offered to a queue, maybe answered by one agent.

    `end_ms` is the end of talk (or the abandon time); wrap-up follows until `acw_end_ms`.
    """

    contact_id: int
    leg: int
    channel: str
    skill: str
    customer: int
    offered_ms: int
    agent: int = -1
    answered_ms: int = -1
    talk_ms: int = 0
    hold_ms: int = 0
    acw_ms: int = 0
    end_ms: int = 0
    abandoned: bool = False
    transferred: bool = False
    escalated: bool = False
    wrapup: str = ""
    flags: int = 0

    @property
    def acw_end_ms(self) -> int:
        return self.end_ms + self.acw_ms

    @property
    def handled(self) -> bool:
        return self.answered_ms >= 0


# Leg.flags bits, decided when the contact arrives.
FLAG_UNRESOLVED = 1
FLAG_EMAIL_ESCALATED = 2
FLAG_TICKET_DELETED = 4


@dataclass(slots=True)
class Activity:
    """A scheduled (or actual) block of an agent's day.

    A schedule edited after the fact keeps its superseded block (`deleted_ms` = the edit) next
    to the blocks that replace it (`created_ms` = the edit); -1 means "with the schedule".
    """

    agent: int
    kind: str
    start_ms: int
    end_ms: int
    created_ms: int = -1
    deleted_ms: int = -1

    def scheduled_at(self, now_ms: int) -> bool:
        """Whether the block is part of the schedule as it stands at `now_ms`."""
        if 0 <= self.deleted_ms <= now_ms:
            return False
        return self.created_ms <= now_ms


@dataclass
class DayBatch:
    """Everything generated for one UTC day. Extras are filled lazily by `sandbox.events`."""

    day: int
    legs: list[Leg]
    schedules: list[Activity]
    actual: list[Activity]
    extras: dict[str, object] = field(default_factory=dict)

    def contacts(self) -> dict[int, list[Leg]]:
        """Legs grouped by contact id, in leg order."""
        cached = self.extras.get("contacts")
        if isinstance(cached, dict):
            return cached
        grouped: dict[int, list[Leg]] = {}
        for leg in self.legs:
            grouped.setdefault(leg.contact_id, []).append(leg)
        for legs in grouped.values():
            legs.sort(key=lambda item: item.leg)
        self.extras["contacts"] = grouped
        return grouped


class World:
    """A seeded contact centre with a clock that moves only when told.

    `days` days of history precede the initial clock, which starts at midnight UTC after the
    last day. `contacts_per_day` counts contacts (not legs) offered each day. `agents` defaults
    to a roster sized for the workload. `chat_slots` is how many chat or messaging
    conversations a digital agent holds at once (1 keeps `chat_concurrency` at 1).
    """

    def __init__(
        self,
        seed: int = 1,
        days: int = 7,
        contacts_per_day: int = 400,
        agents: int | None = None,
        channel_mix: dict[str, float] | None = None,
        start: dt.date = DEFAULT_START,
        cache_days: int = 32,
        chat_slots: int = 1,
    ) -> None:
        if days < 1 or contacts_per_day < 0:
            raise ValueError("`days` must be at least 1 and `contacts_per_day` not negative")
        if chat_slots < 1:
            raise ValueError("`chat_slots` must be at least 1")
        self.seed = seed
        self.chat_slots = chat_slots
        self.days = days
        self.contacts_per_day = contacts_per_day
        self.channel_mix = dict(channel_mix or catalog.DEFAULT_CHANNEL_MIX)
        unknown = sorted(set(self.channel_mix) - set(catalog.CHANNELS))
        if unknown or not any(share > 0 for share in self.channel_mix.values()):
            raise ValueError(
                f"`channel_mix` must give positive shares to some of {', '.join(catalog.CHANNELS)}"
                f"; got unknown {unknown}"
                if unknown
                else "`channel_mix` has no positive share"
            )
        self.start = start
        self.agents_option = agents
        self.start_ms = date_ms(start)
        self.horizon_days = days + HORIZON_EXTRA_DAYS
        self.now_ms = self.start_ms + days * DAY_MS
        self._cache: OrderedDict[int, DayBatch] = OrderedDict()
        self._cache_days = max(2, cache_days)
        self._lock = threading.RLock()
        self.agents = self._make_roster(agents)
        self.customers = self._make_customers()
        self._acquired = [customer.acquired_ms for customer in self.customers]
        self.version = 0
        self._billing: dict[int, list[int]] | None = None
        self._fixed: dict[int, DayBatch] = {}

    def options(self) -> dict[str, object]:
        """The parameters that, with the seed, decide every record (not the clock or cache).

        Two worlds with equal options give byte-identical answers at the same clock, whatever
        each has served before; `/_sandbox/health` reports them so clients can check which
        world they are talking to.
        """
        return {
            "seed": self.seed,
            "days": self.days,
            "contacts_per_day": self.contacts_per_day,
            "agents": self.agents_option,
            "chat_slots": self.chat_slots,
            "channel_mix": dict(self.channel_mix),
            "start": self.start.isoformat(),
        }

    # --- clock -------------------------------------------------------------------------

    def advance(self, hours: float = 0.0, *, days: float = 0.0) -> int:
        """Move the clock forward and return the new time in epoch ms."""
        step = round(hours * HOUR_MS + days * DAY_MS)
        if step < 0:
            raise ValueError("the clock only moves forward")
        return self.set_clock(self.now_ms + step)

    def set_clock(self, now_ms: int) -> int:
        """Set the clock to an instant not earlier than the current one."""
        if now_ms < self.now_ms:
            raise ValueError("the clock only moves forward")
        if now_ms > self.start_ms + self.horizon_days * DAY_MS:
            raise ValueError("the clock cannot pass the generated horizon (days + 366)")
        with self._lock:
            self.now_ms = now_ms
            self.version += 1
        logger.info("world clock moved to %d", now_ms)
        return now_ms

    def day_of(self, ms: int) -> int:
        """Index of the world day containing an instant (may be negative or past the clock)."""
        return (ms - self.start_ms) // DAY_MS

    def visible_days(self) -> range:
        """Days with at least one instant at or before the clock."""
        return range(0, self.day_of(self.now_ms - 1) + 1)

    # --- days --------------------------------------------------------------------------

    def replace_day(self, batch: DayBatch) -> None:
        """Pin a hand-made day in place of the generated one (tests of the oracle)."""
        with self._lock:
            self._fixed[batch.day] = batch

    def day(self, index: int) -> DayBatch:
        """The batch of one day, generated on first use and kept in a bounded cache."""
        with self._lock:
            if index in self._fixed:
                return self._fixed[index]
            batch = self._cache.get(index)
            if batch is not None:
                self._cache.move_to_end(index)
                return batch
        batch = generate_day(self, index)
        with self._lock:
            self._cache[index] = batch
            while len(self._cache) > self._cache_days:
                self._cache.popitem(last=False)
        return batch

    def customers_billed_on(self, day_of_month: int) -> list[int]:
        """Customers whose monthly payment falls on a day of month (acquisition day, max 28)."""
        with self._lock:
            if self._billing is None:
                billing: dict[int, list[int]] = {}
                for customer in self.customers:
                    dom = min(to_datetime(customer.acquired_ms).day, 28)
                    billing.setdefault(dom, []).append(customer.idx)
                self._billing = billing
            return self._billing.get(day_of_month, [])

    def customers_acquired_by(self, ms: int) -> int:
        """How many customers were acquired at or before `ms` (they are sorted by acquisition)."""
        return bisect.bisect_right(self._acquired, ms)

    # --- roster and customers ---------------------------------------------------------------

    def _make_roster(self, agents: int | None) -> list[Agent]:
        sizes = self._group_sizes(agents)
        stream = rng(self.seed, "roster")
        roster: list[Agent] = []
        horizon_ms = self.start_ms + self.horizon_days * DAY_MS
        slot = 0
        for group, size in sizes.items():
            for _ in range(size):
                roster.extend(self._slot_agents(stream, group, slot, len(roster), horizon_ms))
                slot += 1
        for idx, agent in enumerate(roster):
            agent.idx = idx
        return roster

    def _group_sizes(self, agents: int | None) -> dict[str, int]:
        """Agents per skill group, proportional to the expected workload."""
        workload: dict[str, float] = {}
        for skill in catalog.SKILLS:
            profile = catalog.PROFILES[skill.channel]
            share = self.channel_mix.get(skill.channel, 0.0) * skill.share
            if skill.tier == 2:
                share = self.channel_mix.get("voice", 0.0) * 0.08
            handle_s = profile.talk_mean_s + profile.acw_mean_s + profile.hold_mean_s * 0.3
            if skill.group == "Digital":
                # Concurrent conversations raise throughput, though less than their number.
                handle_s /= 1 + 0.6 * (self.chat_slots - 1)
            workload[skill.group] = workload.get(skill.group, 0.0) + share * handle_s
        total = sum(workload.values()) or 1.0
        if agents is None:
            # 6.5 productive hours at ~70 % occupancy, 5 working days out of 7.
            capacity_s = 6.5 * 3600 * 0.7 * 5 / 7
            agents = max(4, math.ceil(self.contacts_per_day * total / capacity_s * 1.15))
        return {
            group: max(1, round(agents * workload.get(group, 0.0) / total))
            for group in catalog.GROUPS
        }

    def _slot_agents(
        self, stream: random.Random, group: str, slot: int, first_idx: int, horizon_ms: int
    ) -> list[Agent]:
        """The succession of agents who hold one seat: each leaver is replaced after a gap."""
        found: list[Agent] = []
        hired_ms = self.start_ms - stream.randint(60, 900) * DAY_MS
        while hired_ms < horizon_ms:
            tenure_days = int(stream.expovariate(1 / 700)) + 30
            terminated_ms: int | None = hired_ms + tenure_days * DAY_MS
            voluntary: bool | None = stream.random() < 0.75
            if terminated_ms is not None and terminated_ms >= horizon_ms:
                terminated_ms, voluntary = None, None
            found.append(
                self._new_agent(
                    stream, group, slot, first_idx + len(found), hired_ms, terminated_ms, voluntary
                )
            )
            if terminated_ms is None:
                break
            hired_ms = terminated_ms + stream.randint(7, 35) * DAY_MS
        return found

    def _new_agent(
        self,
        stream: random.Random,
        group: str,
        slot: int,
        idx: int,
        hired_ms: int,
        terminated_ms: int | None,
        voluntary: bool | None,
    ) -> Agent:
        first = stream.choice(catalog.FIRST_NAMES)
        last = stream.choice(catalog.LAST_NAMES)
        email = f"{first}.{last}.{idx}@{catalog.AGENT_DOMAIN}".lower()
        tier_bonus = 4.0 if group == "Voice Tier 2" else 0.0
        cost = round(stream.uniform(22.0, 30.0) + tier_bonus, 2)
        offset = (slot * 150) % 480
        return Agent(
            idx,
            first,
            last,
            email,
            group,
            catalog.GROUPS[group],
            hired_ms,
            terminated_ms,
            voluntary,
            cost,
            offset - offset % 30,
        )

    def _make_customers(self) -> list[Customer]:
        stream = rng(self.seed, "customers")
        initial = max(50, self.contacts_per_day * 25)
        per_day = initial * 0.0015
        acquired = [self.start_ms - int(stream.uniform(1, 730 * DAY_MS)) for _ in range(initial)]
        for day in range(self.horizon_days):
            count = _poisson(stream, per_day)
            base = self.start_ms + day * DAY_MS
            acquired.extend(base + stream.randrange(DAY_MS) for _ in range(count))
        acquired.sort()
        return [self._new_customer(stream, idx, ms) for idx, ms in enumerate(acquired)]

    def _new_customer(self, stream: random.Random, idx: int, acquired_ms: int) -> Customer:
        lifetime_ms = int(stream.expovariate(1 / 600) * DAY_MS)
        horizon_ms = self.start_ms + self.horizon_days * DAY_MS
        churned = acquired_ms + lifetime_ms if acquired_ms + lifetime_ms < horizon_ms else None
        pick = stream.random()
        segment, amount = catalog.SEGMENTS[-1][0], catalog.SEGMENTS[-1][2]
        cumulative = 0.0
        for name, weight, base in catalog.SEGMENTS:
            cumulative += weight
            if pick < cumulative:
                segment, amount = name, base
                break
        return Customer(
            idx=idx,
            crm_id=10_000 + idx,
            email=f"customer{idx}@{catalog.CUSTOMER_DOMAIN}",
            phone=f"+1555{idx:07d}",
            acquired_ms=acquired_ms,
            acquisition_channel=stream.choice(catalog.ACQUISITION_CHANNELS),
            churned_ms=churned,
            segment=segment,
            monthly_amount=round(amount * stream.uniform(0.8, 1.2), 2),
            gross_margin=round(stream.uniform(0.65, 0.85), 4),
        )


def _poisson(stream: random.Random, mean: float) -> int:
    """Knuth's Poisson draw; means here are small."""
    limit, count, product = math.exp(-mean), 0, stream.random()
    while product > limit:
        count += 1
        product *= stream.random()
    return count


# --- one day --------------------------------------------------------------------------------


def generate_day(world: World, index: int) -> DayBatch:
    """Generate shifts, arrivals and the queueing of one day."""
    stream = rng(world.seed, "day", index)
    day_ms = world.start_ms + index * DAY_MS
    schedules, actual = _shifts(world, index, day_ms, stream)
    arrivals = _arrivals(world, index, day_ms, stream)
    legs = _dispatch(world, index, arrivals, actual, stream)
    return DayBatch(index, legs, schedules, actual)


def _working(world: World, index: int, day_ms: int) -> list[Agent]:
    """Agents on shift that day: employed, five days out of seven."""
    return [
        agent
        for agent in world.agents
        if agent.employed_on(day_ms) and (index + agent.idx) % 7 not in (5, 6)
    ]


def _shifts(
    world: World, index: int, day_ms: int, stream: random.Random
) -> tuple[list[Activity], list[Activity]]:
    """Scheduled activities and the actual (jittered) ones for every agent on shift."""
    schedules: list[Activity] = []
    actual: list[Activity] = []
    for agent in _working(world, index, day_ms):
        shift_ms = day_ms + 6 * HOUR_MS + agent.shift_offset_min * MINUTE_MS
        planned = _plan(shift_ms, agent.idx, stream)
        schedules.extend(planned)
        actual.extend(_jitter([block for block in planned if block.deleted_ms < 0], stream))
    return schedules, actual


def _plan(shift_ms: int, agent: int, stream: random.Random) -> list[Activity]:
    """The day's schedule; 5 % of days get an unplanned meeting, entered the next day."""
    blocks: list[tuple[int, int, str]] = list(catalog.SHIFT_TEMPLATE)
    roll = stream.random()
    if roll < 0.15:
        blocks[4:5] = [(270, 330, "training"), (330, 390, "on_queue")]
    elif roll < 0.25:
        blocks[2:3] = [(135, 165, "meeting"), (165, 240, "on_queue")]
    planned = [
        Activity(agent, kind, shift_ms + start * MINUTE_MS, shift_ms + end * MINUTE_MS)
        for start, end, kind in blocks
    ]
    if 0.25 <= roll < 0.30:
        edited_ms = shift_ms + DAY_MS
        original = planned[2]
        middle = original.start_ms + 30 * MINUTE_MS
        original.deleted_ms = edited_ms
        planned[3:3] = [
            Activity(agent, "meeting", original.start_ms, middle, created_ms=edited_ms),
            Activity(agent, "on_queue", middle, original.end_ms, created_ms=edited_ms),
        ]
    return planned


def _jitter(planned: list[Activity], stream: random.Random) -> list[Activity]:
    """What the agent really did: late logins, long breaks, early log-offs (whole seconds)."""
    bounds = [planned[0].start_ms] + [block.end_ms for block in planned]
    if stream.random() < 0.3:
        bounds[0] += stream.randint(1, 300) * SECOND_MS
    for position in range(1, len(bounds) - 1):
        if planned[position - 1].kind != "on_queue" and stream.random() < 0.4:
            bounds[position] += stream.randint(1, 180) * SECOND_MS
    if stream.random() < 0.2:
        bounds[-1] -= stream.randint(1, 240) * SECOND_MS
    return [
        Activity(block.agent, block.kind, bounds[position], bounds[position + 1])
        for position, block in enumerate(planned)
        if bounds[position + 1] > bounds[position]
    ]


def _arrivals(world: World, index: int, day_ms: int, stream: random.Random) -> list[Leg]:
    """The day's contacts (first legs only), with handling needs drawn up front."""
    total = world.contacts_per_day
    base = total - int(total * FOLLOW_UP_SHARE)
    channels, weights = _channel_table(world)
    customers = world.customers_acquired_by(day_ms) or 1
    skills_by_channel = {
        channel: [skill for skill in catalog.SKILLS if skill.channel == channel and skill.share]
        for channel in catalog.CHANNELS
    }
    legs: list[Leg] = []
    for seq in range(base):
        channel = _pick(channels, weights, stream)
        offered = _arrival_time(day_ms, channel, stream)
        customer = _pick_customer(world, customers, offered, stream)
        legs.append(
            _new_leg(world, index, seq, channel, skills_by_channel, customer, offered, stream)
        )
    unresolved = [leg for leg in legs if leg.flags & FLAG_UNRESOLVED]
    for seq in range(base, total):
        if not unresolved:
            break
        origin = unresolved[stream.randrange(len(unresolved))]
        precision = catalog.PROFILES[origin.channel].precision_ms
        delay = stream.randint(30 * MINUTE_MS, 5 * HOUR_MS)
        offered = min(origin.offered_ms + delay, day_ms + DAY_MS - SECOND_MS)
        offered -= offered % precision
        legs.append(
            _new_leg(
                world,
                index,
                seq,
                origin.channel,
                skills_by_channel,
                origin.customer,
                offered,
                stream,
            )
        )
    legs.sort(key=lambda leg: (leg.offered_ms, leg.contact_id))
    return legs


def _channel_table(world: World) -> tuple[list[str], list[float]]:
    """Channels and their cumulative weights, for `_pick`."""
    channels = [channel for channel in catalog.CHANNELS if world.channel_mix.get(channel, 0) > 0]
    return channels, list(itertools.accumulate(world.channel_mix[c] for c in channels))


WRAPUP_NAMES = tuple(catalog.WRAPUP_CODES)
WRAPUP_CUMULATIVE = list(itertools.accumulate(catalog.WRAPUP_WEIGHTS))


def _pick(items: Sequence[str], cumulative: list[float], stream: random.Random) -> str:
    """A weighted draw; cheaper than `random.choices` in the per-contact loop."""
    return items[bisect.bisect(cumulative, stream.random() * cumulative[-1])]


def _arrival_time(day_ms: int, channel: str, stream: random.Random) -> int:
    if channel == "email":
        offset = stream.triangular(5 * HOUR_MS, 20 * HOUR_MS, 10 * HOUR_MS)
    else:
        offset = stream.triangular(7 * HOUR_MS, 21 * HOUR_MS, 12 * HOUR_MS)
    offered = day_ms + int(offset)
    return offered - offered % catalog.PROFILES[channel].precision_ms


def _pick_customer(world: World, known: int, offered_ms: int, stream: random.Random) -> int:
    """Any active customer may call; a churned one is redrawn a few times."""
    pick = known - 1
    for _ in range(4):
        pick = known - 1 - int(known * stream.random())
        if world.customers[pick].active_at(offered_ms):
            break
    return pick


def _new_leg(
    world: World,
    index: int,
    seq: int,
    channel: str,
    skills_by_channel: dict[str, list[catalog.Skill]],
    customer: int,
    offered: int,
    stream: random.Random,
) -> Leg:
    options = skills_by_channel[channel]
    skill = options[0] if len(options) == 1 else options[stream.random() < options[0].share]
    leg = Leg((index + 1) * 1_000_000 + seq, 1, channel, skill.name, customer, offered)
    _draw_handling(leg, stream)
    if channel == "voice":
        leg.wrapup = _pick(WRAPUP_NAMES, WRAPUP_CUMULATIVE, stream)
        if catalog.WRAPUP_CODES[leg.wrapup] is False:
            leg.flags |= FLAG_UNRESOLVED
        roll = stream.random()
        if roll < 0.08:
            leg.escalated = True
        elif roll < 0.12:
            leg.transferred = True
    elif stream.random() < 0.12:
        leg.flags |= FLAG_UNRESOLVED
    if channel == "email":
        roll = stream.random()
        if roll < 0.04:
            leg.flags |= FLAG_EMAIL_ESCALATED
        elif roll < 0.045:
            leg.flags |= FLAG_TICKET_DELETED
    # Patience is kept in end_ms until dispatch decides whether the contact is abandoned.
    patience = catalog.PROFILES[channel].patience_mean_s
    leg.end_ms = -1 if math.isinf(patience) else int(stream.expovariate(1 / patience) * 1000)
    return leg


def _draw_handling(leg: Leg, stream: random.Random) -> None:
    profile = catalog.PROFILES[leg.channel]
    precision = profile.precision_ms
    mu = math.log(profile.talk_mean_s) - profile.talk_sigma**2 / 2
    talk = int(stream.lognormvariate(mu, profile.talk_sigma) * 1000) + 20 * SECOND_MS
    leg.talk_ms = talk - talk % precision
    if profile.hold_probability and stream.random() < profile.hold_probability:
        leg.hold_ms = int(stream.expovariate(1 / profile.hold_mean_s) * 1000) + SECOND_MS
    if profile.acw_mean_s:
        leg.acw_ms = int(stream.expovariate(1 / profile.acw_mean_s) * 1000) + 5 * SECOND_MS


# --- queueing -------------------------------------------------------------------------------


class _Pool:
    """The agents of one skill group, keyed by when each can take the next contact."""

    def __init__(self) -> None:
        self.heap: list[tuple[int, int]] = []
        self.windows: dict[int, list[tuple[int, int]]] = {}

    def add(self, agent: int, windows: list[tuple[int, int]]) -> None:
        self.windows[agent] = windows
        self._push(agent, windows[0][0])

    def _push(self, agent: int, after_ms: int) -> None:
        for start, end in self.windows[agent]:
            if after_ms < end:
                heapq.heappush(self.heap, (max(start, after_ms), agent))
                return

    def peek(self) -> tuple[int, int] | None:
        return self.heap[0] if self.heap else None

    def take(self, busy_until_ms: int) -> None:
        _, agent = heapq.heappop(self.heap)
        self._push(agent, busy_until_ms)


def _pools(world: World, actual: list[Activity]) -> dict[str, _Pool]:
    windows: dict[int, list[tuple[int, int]]] = {}
    for block in actual:
        if block.kind == "on_queue":
            windows.setdefault(block.agent, []).append((block.start_ms, block.end_ms))
    pools = {group: _Pool() for group in catalog.GROUPS}
    for agent, spans in windows.items():
        group = world.agents[agent].group
        # A digital agent holds up to `chat_slots` conversations at once: one pool entry each.
        for _ in range(world.chat_slots if group == "Digital" else 1):
            pools[group].add(agent, sorted(spans))
    return pools


def _dispatch(
    world: World, index: int, arrivals: list[Leg], actual: list[Activity], stream: random.Random
) -> list[Leg]:
    """Serve arrivals in time order: each takes the agent free soonest, or abandons."""
    pools = _pools(world, actual)
    pending: list[tuple[int, int, int, Leg]] = [
        (leg.offered_ms, leg.contact_id, 1, leg) for leg in arrivals
    ]
    heapq.heapify(pending)
    done: list[Leg] = []
    while pending:
        _, _, _, leg = heapq.heappop(pending)
        follow = _serve(world, leg, pools[catalog.SKILL_BY_NAME[leg.skill].group], stream)
        done.append(leg)
        if follow is not None:
            heapq.heappush(pending, (follow.offered_ms, follow.contact_id, follow.leg, follow))
    done.sort(key=lambda item: (item.offered_ms, item.contact_id, item.leg))
    return done


def _serve(world: World, leg: Leg, pool: _Pool, stream: random.Random) -> Leg | None:
    patience = leg.end_ms
    head = pool.peek()
    start = head[0] if head is not None else None
    if start is not None and start < leg.offered_ms:
        start = leg.offered_ms
    if start is None or (patience >= 0 and start - leg.offered_ms > patience):
        _abandon(leg, patience)
        return None
    assert head is not None
    ring = stream.randint(2000, 9000) if leg.channel == "voice" else 0
    leg.agent = head[1]
    leg.answered_ms = start + ring
    leg.end_ms = leg.answered_ms + leg.talk_ms + leg.hold_ms
    pool.take(leg.acw_end_ms)
    if leg.escalated or leg.transferred:
        return _transfer(leg, stream)
    return None


def _abandon(leg: Leg, patience: int) -> None:
    leg.abandoned = True
    leg.escalated = leg.transferred = False
    leg.acw_ms = leg.talk_ms = leg.hold_ms = 0
    # The abandon instant is published at the channel's precision (Intercom: whole seconds),
    # like every other instant; the offer is already on that grid, so the wait is cut instead.
    precision = catalog.PROFILES[leg.channel].precision_ms
    waited = max(patience, 0)
    # Email never abandons: a ticket no agent reached stays open (end = offer).
    leg.end_ms = leg.offered_ms + waited - waited % precision
    if patience < 0:
        leg.abandoned = False


def _transfer(leg: Leg, stream: random.Random) -> Leg:
    """The next leg of a transferred call: up a tier (escalation) or to a sibling queue."""
    leg.transferred = True
    if leg.escalated:
        target = "Voice Tier 2"
    else:
        target = "Voice Support" if leg.skill == "Voice Billing" else "Voice Billing"
    follow = Leg(leg.contact_id, leg.leg + 1, leg.channel, target, leg.customer, leg.end_ms)
    _draw_handling(follow, stream)
    follow.wrapup = leg.wrapup
    follow.flags = leg.flags
    follow.end_ms = -1
    leg.wrapup = "Transferred"
    return follow
