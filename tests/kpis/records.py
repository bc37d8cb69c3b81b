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


GENERATORS = {
    "contacts": contacts,
    "surveys": surveys,
    "responses": responses,
    "qa_evaluations": qa_evaluations,
}


def keys(table: str, prefix: str) -> list[tuple[Any, ...]]:
    """A handful of keys per table, so that operations hit the same records again and again."""
    if table == "contacts":
        return [(f"{prefix}c{i}", leg) for i in range(3) for leg in (1, 2)]
    return [(f"{prefix}{table[0]}{i}",) for i in range(4)]


def to_arrow(table: str, records: list[dict[str, Any]]) -> pa.Table:
    """Records as an Arrow table with the unified column order (types cast by the engine)."""
    names = TABLES[table].column_names
    return pa.Table.from_pylist([{name: record.get(name) for name in names} for record in records])
