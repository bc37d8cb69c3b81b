"""Random unified records for the exactness tests, small enough to collide often."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
from hypothesis import strategies as st

from transforms.unified_model import TABLES

DAY = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
AGENTS = ("a1", "a2", None)
SKILLS = ("billing", "sales", None)
SKILL_GROUPS = ("tier1", "tier2", None)
CHANNELS = ("voice", "chat", "email")


def _moment(minutes: int) -> dt.datetime:
    return DAY + dt.timedelta(minutes=minutes)


_seconds = st.integers(0, 4000).map(lambda ms: ms / 10)


@st.composite
def contacts(draw: st.DrawFn, key: tuple[str, int]) -> dict[str, Any]:
    contact_id, leg = key
    offered = draw(st.integers(0, 60 * 50))
    wait_s = draw(_seconds)
    abandoned = draw(st.booleans())
    answered = None if abandoned else _moment(offered) + dt.timedelta(seconds=wait_s)
    talk_s = 0.0 if abandoned else draw(_seconds)
    ended = draw(st.one_of(st.none(), st.just(offered + 30)))
    return {
        "contact_id": contact_id,
        "leg": leg,
        "channel": draw(st.sampled_from(CHANNELS)),
        "direction": draw(st.sampled_from(("inbound", "inbound", "outbound"))),
        "customer_id": draw(st.sampled_from(("u1", "u2", None))),
        "agent_id": None if abandoned else draw(st.sampled_from(AGENTS)),
        "skill": draw(st.sampled_from(SKILLS)),
        "skill_group": draw(st.sampled_from(SKILL_GROUPS)),
        "reason": None,
        "offered_at": _moment(offered),
        "answered_at": answered,
        "ended_at": None if ended is None else _moment(ended) + dt.timedelta(seconds=wait_s),
        "wait_s": wait_s,
        "talk_s": talk_s,
        "hold_s": draw(st.sampled_from((0.0, 12.5))),
        "acw_s": draw(_seconds),
        "abandoned": int(abandoned),
        "transferred": int(draw(st.booleans())),
        "escalated": int(draw(st.booleans())),
        "resolved_first_contact": draw(st.sampled_from((None, 0, 1))),
    }


_SCALES = {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7), "esat": (1, 5), "engagement": (1, 5)}


@st.composite
def surveys(draw: st.DrawFn, key: tuple[str]) -> dict[str, Any]:
    kind = draw(st.sampled_from(tuple(_SCALES)))
    low, high = _SCALES[kind]
    return {
        "response_id": key[0],
        "kind": kind,
        "score": float(draw(st.integers(low, high))),
        "scale_min": float(low),
        "scale_max": float(high),
        "contact_id": None,
        "customer_id": None,
        "agent_id": draw(st.sampled_from(AGENTS)),
        "channel": draw(st.sampled_from((*CHANNELS, None))),
        "skill": draw(st.sampled_from(SKILLS)),
        "skill_group": draw(st.sampled_from(SKILL_GROUPS)),
        "responded_at": _moment(draw(st.integers(0, 60 * 50))),
    }


@st.composite
def responses(draw: st.DrawFn, key: tuple[str]) -> dict[str, Any]:
    asked = draw(st.integers(0, 60 * 50))
    response_s = draw(_seconds)
    return {
        "response_id": key[0],
        "contact_id": "c1",
        "channel": draw(st.sampled_from(("chat", "email"))),
        "agent_id": draw(st.sampled_from(("a1", "a2"))),
        "skill": draw(st.sampled_from(SKILLS)),
        "skill_group": draw(st.sampled_from(SKILL_GROUPS)),
        "customer_message_at": _moment(asked),
        "replied_at": _moment(asked) + dt.timedelta(seconds=response_s),
        "response_s": response_s,
        "is_first_response": int(draw(st.booleans())),
    }


@st.composite
def survey_invitations(draw: st.DrawFn, key: tuple[str]) -> dict[str, Any]:
    sent = _moment(draw(st.integers(0, 60 * 50)))
    answered_after = draw(st.one_of(st.none(), st.integers(1, 60 * 24 * 3)))
    return {
        "invitation_id": key[0],
        "kind": draw(st.sampled_from(("csat", "nps"))),
        "contact_id": None,
        "customer_id": draw(st.sampled_from(("u1", None))),
        "agent_id": draw(st.sampled_from(AGENTS)),
        "channel": draw(st.sampled_from((*CHANNELS, None))),
        "skill": draw(st.sampled_from(SKILLS)),
        "skill_group": draw(st.sampled_from(SKILL_GROUPS)),
        "sent_at": sent,
        "responded_at": None
        if answered_after is None
        else sent + dt.timedelta(minutes=answered_after),
    }


@st.composite
def qa_evaluations(draw: st.DrawFn, key: tuple[str]) -> dict[str, Any]:
    required = draw(st.integers(0, 5))
    return {
        "evaluation_id": key[0],
        "contact_id": None,
        "agent_id": draw(st.sampled_from(("a1", "a2"))),
        "channel": draw(st.sampled_from((*CHANNELS, None))),
        "skill": draw(st.sampled_from(SKILLS)),
        "score_pct": draw(st.integers(0, 1000)) / 10,
        "script_items_required": required,
        "script_items_met": draw(st.integers(0, required)),
        "is_calibration": int(draw(st.booleans())),
        "evaluated_at": _moment(draw(st.integers(0, 60 * 50))),
    }


# States and activities start at a few fixed instants (their key), some late enough that an
# interval runs past midnight into the next day.
_INTERVAL_STARTS = (_moment(9 * 60), _moment(22 * 60 + 30), _moment(24 * 60 + 30))
_AGENT_MEASURE_KEYS = (("tier1", "voice"), ("tier2", "chat"), (None, None))


@st.composite
def agent_states(draw: st.DrawFn, key: tuple[str, dt.datetime]) -> dict[str, Any]:
    agent_id, started_at = key
    skill_group, channel = draw(st.sampled_from(_AGENT_MEASURE_KEYS))
    length_s = draw(st.integers(1, 6 * 3600))
    return {
        "agent_id": agent_id,
        "state": draw(st.sampled_from(("available", "on_contact", "acw", "break", "offline"))),
        "started_at": started_at,
        "ended_at": draw(st.sampled_from((None, started_at + dt.timedelta(seconds=length_s)))),
        "skill_group": skill_group,
        "channel": channel,
    }


@st.composite
def schedules(draw: st.DrawFn, key: tuple[str, dt.datetime]) -> dict[str, Any]:
    agent_id, starts_at = key
    skill_group, channel = draw(st.sampled_from(_AGENT_MEASURE_KEYS))
    length_ms = draw(st.integers(1, 8 * 3600)) * 1000 + draw(st.sampled_from((0, 500)))
    return {
        "agent_id": agent_id,
        "activity": draw(st.sampled_from(("on_queue", "break", "lunch", "off", "other"))),
        "starts_at": starts_at,
        "ends_at": starts_at + dt.timedelta(milliseconds=length_ms),
        "skill_group": skill_group,
        "channel": channel,
    }


@st.composite
def employees(draw: st.DrawFn, key: tuple[str]) -> dict[str, Any]:
    # Whole days and hours, so that hires and terminations often fall on period boundaries.
    hired = DAY - dt.timedelta(days=draw(st.integers(0, 30)), hours=draw(st.sampled_from((0, 9))))
    tenure_h = draw(st.one_of(st.none(), st.integers(0, 24 * 5)))
    return {
        "agent_id": key[0],
        "employee_id": None,
        "email": None,
        "hired_at": hired,
        "terminated_at": None if tenure_h is None else hired + dt.timedelta(hours=tenure_h),
        "termination_voluntary": None,
        "skill_group": draw(st.sampled_from(SKILL_GROUPS)),
        "primary_channel": None,
        "hourly_cost": draw(st.sampled_from((None, 18.5, 31.25))),
    }


@st.composite
def costs(draw: st.DrawFn, key: tuple[dt.datetime, str, str]) -> dict[str, Any]:
    period_start, scope, channel = key
    return {
        "period_start": period_start,
        "period_end": period_start + dt.timedelta(days=1),
        "scope": scope,
        "channel": channel,
        "amount": draw(st.integers(0, 100_000)) / 100,
    }


@st.composite
def customers(draw: st.DrawFn, key: tuple[str]) -> dict[str, Any]:
    acquired = draw(st.one_of(st.none(), st.integers(0, 60 * 50)))
    lifetime = draw(st.one_of(st.none(), st.sampled_from((0, 30, 60)), st.integers(1, 60 * 50)))
    return {
        "customer_id": key[0],
        "acquired_at": None if acquired is None else _moment(acquired),
        "acquisition_channel": draw(st.sampled_from(("PAID_SEARCH", "REFERRALS", None))),
        "churned_at": None
        if acquired is None or lifetime is None
        else _moment(acquired + lifetime),
        "segment": None,
    }


GENERATORS = {
    "contacts": contacts,
    "surveys": surveys,
    "survey_invitations": survey_invitations,
    "responses": responses,
    "qa_evaluations": qa_evaluations,
    "agent_states": agent_states,
    "schedules": schedules,
    "employees": employees,
    "costs": costs,
    "customers": customers,
}

PREFIXED_COLUMN = {"costs": "channel"}
"""The key column that carries a test's prefix, where it is not the first key column."""


def keys(table: str, prefix: str) -> list[tuple[Any, ...]]:
    """A handful of keys per table, so that operations hit the same records again and again.

    Agent measures use the test's own agents (`<prefix>a0`, and `<prefix>a1` who has an employee
    record but no schedule), so that adherence and labour cost join states, schedules and
    employees of one test run only.
    """
    agents = [f"{prefix}a{i}" for i in range(2)]
    if table == "contacts":
        return [(f"{prefix}c{i}", leg) for i in range(3) for leg in (1, 2)]
    if table in ("agent_states", "schedules"):
        # One agent, so that states and activities of a short run overlap often.
        return [(agents[0], start) for start in _INTERVAL_STARTS]
    if table == "employees":
        return [(agent,) for agent in agents]
    if table == "costs":
        return [(DAY, scope, f"{prefix}{scope}") for scope in ("service", "acquisition")] + [
            (DAY + dt.timedelta(days=1), "service", f"{prefix}service"),
            (DAY, "service", f"{prefix}other"),
        ]
    return [(f"{prefix}{table[0]}{i}",) for i in range(4)]


def to_arrow(table: str, records: list[dict[str, Any]]) -> pa.Table:
    """Records as an Arrow table with the unified column order (types cast by the engine)."""
    names = TABLES[table].column_names
    return pa.Table.from_pylist([{name: record.get(name) for name in names} for record in records])
