"""KPIs computed the slow, obvious way in plain Python, to hold `ccpulse kpi` to.

The data-set tests read each published file with `csv`, turn every call or answer into a `Leg`
or an `Answer` (their own reading of the raw file, not the converters' output), and compute each
KPI here from KPIS.md: a measure counts in the period of the event that completes it (offer for
offered, abandoned, service level and FCR; answer for ASA; end of the contact for handle and
talk time; submission for surveys). A leg is handled when it was answered, whether or not the
log names the agent; a leg or an answer without a value for a breakdown is left out of that
breakdown (an abandoned call has no agent).

Results have the shape of `ccpulse kpi --format json`: one entry per period and breakdown value,
`(numerator, denominator)`, groups with a zero denominator (or a zero count) left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

SERVICE_LEVEL_S = 20
SHORT_ABANDON_S = 5

Key = tuple[str | None, ...]
Parts = dict[Key, tuple[float, float | None]]


@dataclass(frozen=True)
class Leg:
    """One inbound voice call as the raw file tells it."""

    agent: str | None
    skill: str | None
    offered_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    wait_s: float
    talk_s: float
    abandoned: bool
    resolved: bool | None = None

    @property
    def handled(self) -> bool:
        return self.answered_at is not None

    def dimension(self, name: str) -> str | None:
        return {"agent": self.agent, "skill": self.skill}[name]


@dataclass(frozen=True)
class Answer:
    """One survey answer."""

    kind: str
    score: float
    scale_min: float
    scale_max: float
    responded_at: datetime
    agent: str | None = None
    skill: str | None = None

    def dimension(self, name: str) -> str | None:
        return {"agent": self.agent, "skill": self.skill}[name]


ContactParts = dict[str, tuple[float, float | None]]


def leg_parts(leg: Leg) -> dict[str, tuple[datetime, ContactParts]]:
    """What one leg adds to each KPI, by the event (offer, answer, end) it counts at.

    FCR counts at the offer, like the contact it describes; a short abandon waited 5 s or less.

    Each KPI maps to (numerator, denominator); a count has no denominator. Handle time equals
    talk time here: none of the data sets records hold or after-call work.
    """
    answered = leg.answered_at is not None
    known = float(leg.handled and leg.resolved is not None)
    offered: ContactParts = {
        "contacts_offered": (1.0, None),
        "abandonment_rate": (float(leg.abandoned), 1.0),
        "average_abandon_time": (leg.wait_s * leg.abandoned, float(leg.abandoned)),
        "service_level": (
            float(answered and leg.wait_s <= SERVICE_LEVEL_S),
            float(answered or (leg.abandoned and leg.wait_s > SHORT_ABANDON_S)),
        ),
        "first_contact_resolution_rate": (float(known and bool(leg.resolved)), known),
    }
    parts = {"offered": (leg.offered_at, offered)}
    if leg.answered_at is not None:
        handled = float(leg.handled)
        asa: ContactParts = {"average_speed_of_answer": (leg.wait_s * handled, handled)}
        parts["answered"] = (leg.answered_at, asa)
    if leg.ended_at is not None:
        handled = float(leg.handled)
        parts["ended"] = (
            leg.ended_at,
            {
                "average_handle_time": (leg.talk_s * handled, handled),
                "average_talk_time": (leg.talk_s * handled, handled),
                "contacts_handled": (handled, None),
            },
        )
    return parts


RATIO_SCALE = {
    "abandonment_rate": 100.0,
    "service_level": 100.0,
    "first_contact_resolution_rate": 100.0,
    "csat": 100.0,
    "nps": 100.0,
    "employee_attrition_rate": 100.0,
}


def period_of(moment: datetime, grain: str) -> str | None:
    if grain == "all":
        return None
    if grain == "day":
        return moment.date().isoformat()
    raise ValueError(f"grain `{grain}` is not computed here")


def _sum_parts(
    items: Iterable[tuple[Key, float, float | None]], is_ratio: bool
) -> dict[Key, tuple[float, float | None]]:
    sums: dict[Key, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for key, numerator, denominator in items:
        sums[key][0] += numerator
        sums[key][1] += denominator or 0.0
    if is_ratio:
        return {key: (num, den) for key, (num, den) in sums.items() if den > 0}
    return {key: (num, None) for key, (num, _) in sums.items() if num != 0}


def contact_kpis(legs: Sequence[Leg], by: Sequence[str], grain: str) -> dict[str, Parts]:
    """Every contact KPI by `by` at `grain`, in one pass over the legs."""
    sums: dict[str, dict[Key, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0]))
    is_ratio: dict[str, bool] = {}
    for leg in legs:
        breakdown = tuple(leg.dimension(name) for name in by)
        if any(value is None or value == "" for value in breakdown):
            continue
        for moment, kpis in leg_parts(leg).values():
            key = (period_of(moment, grain), *breakdown)
            for kpi_id, (numerator, denominator) in kpis.items():
                total = sums[kpi_id][key]
                total[0] += numerator
                total[1] += denominator or 0.0
                is_ratio[kpi_id] = denominator is not None
    return {
        kpi_id: (
            {key: (num, den) for key, (num, den) in totals.items() if den > 0}
            if is_ratio[kpi_id]
            else {key: (num, None) for key, (num, _) in totals.items() if num != 0}
        )
        for kpi_id, totals in sums.items()
    }


def _survey_parts(kpi_id: str, answer: Answer) -> tuple[float, float] | None:
    if kpi_id == "csat" and answer.kind == "csat":
        return float(answer.score >= answer.scale_max - 1), 1.0
    if kpi_id == "csat_mean_score" and answer.kind == "csat":
        return answer.score, 1.0
    if kpi_id == "nps" and answer.kind == "nps" and (answer.scale_min, answer.scale_max) == (0, 10):
        return float(answer.score >= 9) - float(answer.score <= 6), 1.0
    return None


def survey_kpi(answers: Sequence[Answer], kpi_id: str, by: Sequence[str], grain: str) -> Parts:
    items = []
    for answer in answers:
        parts = _survey_parts(kpi_id, answer)
        if parts is None:
            continue
        breakdown = tuple(answer.dimension(name) for name in by)
        if any(value is None or value == "" for value in breakdown):
            continue
        key = (period_of(answer.responded_at, grain), *breakdown)
        items.append((key, parts[0], parts[1]))
    return _sum_parts(items, is_ratio=True)


def value_of(kpi_id: str, numerator: float, denominator: float | None) -> float:
    if denominator is None:
        return numerator
    return RATIO_SCALE.get(kpi_id, 1.0) * numerator / denominator


Query = tuple[str, tuple[str, ...], str]


def expected_contact_kpis(legs: Sequence[Leg], queries: Sequence[Query]) -> dict[Query, Parts]:
    """The reference figures of each (KPI, breakdown, grain) query."""
    views = {(by, grain) for _, by, grain in queries}
    by_view = {(by, grain): contact_kpis(legs, by, grain) for by, grain in views}
    return {query: by_view[query[1:]].get(query[0], {}) for query in queries}
