"""The KPI catalogue: every KPI ccpulse keeps, as data.

A KPI is a ratio (or a count) of linear combinations of a fact's additive parts (see `facts`), read
from the fact's aggregate at any grain and breakdown. Definitions follow KPIS.md, including its
choices where vendors disagree; `formula` says in words what the numbers mean.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kpi_views.facts import DIMENSIONS, FACTS

__all__ = ["CATALOG", "GRAINS", "Kpi", "UnknownKpiError", "kpi"]

GRAINS: tuple[str, ...] = ("hour", "day", "week", "month", "all")

Unit = Literal["percent", "seconds", "points", "score", "count"]
Direction = Literal["higher_is_better", "lower_is_better", "neutral"]
RollUp = Literal["R", "A", "S", "W"]


class Kpi(BaseModel):
    """One KPI: `scale * sum(numerator parts) / sum(denominator parts)`."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    formula: str
    unit: Unit
    direction: Direction
    roll_up: RollUp
    fact: str
    numerator: Mapping[str, int]
    """Part name -> coefficient (1, or -1 for a part that is subtracted)."""
    denominator: Mapping[str, int] | None = None
    scale: float = 1.0
    breakdowns: tuple[str, ...] = DIMENSIONS
    min_respondents: int = 0
    """Groups with fewer denominator rows are suppressed (employee surveys)."""

    @model_validator(mode="after")
    def _parts_exist(self) -> Kpi:
        if self.fact not in FACTS:
            raise ValueError(f"KPI `{self.id}` reads unknown fact `{self.fact}`")
        fact = FACTS[self.fact]
        for name in [*self.numerator, *(self.denominator or {})]:
            fact.part(name)
        unknown = set(self.breakdowns) - set(fact.dimensions)
        if unknown:
            raise ValueError(f"KPI `{self.id}` allows breakdowns its fact lacks: {unknown}")
        return self

    @property
    def is_ratio(self) -> bool:
        return self.denominator is not None

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.numerator, *(self.denominator or {})]))


class UnknownKpiError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


def _percent(**fields: object) -> Kpi:
    return Kpi(unit="percent", scale=100.0, roll_up="R", **fields)  # type: ignore[arg-type]


def _seconds(**fields: object) -> Kpi:
    return Kpi(unit="seconds", direction="lower_is_better", roll_up="R", **fields)  # type: ignore[arg-type]


_KPIS = (
    _percent(
        id="csat",
        name="Customer satisfaction",
        formula="100 x responses in the top two boxes (4-5 of 5) / valid CSAT responses",
        direction="higher_is_better",
        fact="surveys",
        numerator={"csat_top_two": 1},
        denominator={"csat_valid": 1},
    ),
    Kpi(
        id="csat_mean_score",
        name="CSAT mean score",
        formula="sum of CSAT scores / valid CSAT responses, on the survey's own scale",
        unit="score",
        direction="higher_is_better",
        roll_up="R",
        fact="surveys",
        numerator={"csat_score": 1},
        denominator={"csat_valid": 1},
    ),
    Kpi(
        id="nps",
        name="Net promoter score",
        formula="100 x (scores 9-10 - scores 0-6) / valid responses on the 0-10 scale",
        unit="points",
        direction="higher_is_better",
        roll_up="R",
        fact="surveys",
        numerator={"nps_promoters": 1, "nps_detractors": -1},
        denominator={"nps_valid": 1},
        scale=100.0,
    ),
    _percent(
        id="ces",
        name="Customer effort score",
        formula="100 x agreeing responses (5-7 of 7, 4-5 of 5) / valid CES responses",
        direction="higher_is_better",
        fact="surveys",
        numerator={"ces_agree": 1},
        denominator={"ces_valid": 1},
    ),
    Kpi(
        id="ces_mean_score",
        name="CES mean",
        formula="sum of CES scores / valid CES responses (meaningful within one scale)",
        unit="score",
        direction="higher_is_better",
        roll_up="R",
        fact="surveys",
        numerator={"ces_score": 1},
        denominator={"ces_valid": 1},
    ),
    _percent(
        id="employee_satisfaction_score",
        name="Employee satisfaction (eSat)",
        formula="100 x favourable (top two boxes) responses / valid responses; "
        "groups under 5 respondents are suppressed",
        direction="higher_is_better",
        fact="surveys",
        numerator={"esat_favourable": 1},
        denominator={"esat_valid": 1},
        breakdowns=("skill_group",),
        min_respondents=5,
    ),
    Kpi(
        id="employee_engagement_score",
        name="Employee engagement index",
        formula="mean engagement score rescaled to 0-100; groups under 5 respondents suppressed",
        unit="score",
        direction="higher_is_better",
        roll_up="R",
        fact="surveys",
        numerator={"engagement_pct": 1},
        denominator={"engagement_valid": 1},
        breakdowns=("skill_group",),
        min_respondents=5,
    ),
    Kpi(
        id="qa_score",
        name="Quality assurance score",
        formula="mean evaluation score (0-100), calibration evaluations excluded",
        unit="score",
        direction="higher_is_better",
        roll_up="R",
        fact="qa_evaluations",
        numerator={"score_pct": 1},
        denominator={"evaluations": 1},
        breakdowns=("channel", "skill", "agent"),
    ),
    Kpi(
        id="call_quality_score",
        name="Call quality score",
        formula="qa_score over voice contacts",
        unit="score",
        direction="higher_is_better",
        roll_up="R",
        fact="qa_evaluations",
        numerator={"voice_score_pct": 1},
        denominator={"voice_evaluations": 1},
        breakdowns=("skill", "agent"),
    ),
    Kpi(
        id="contact_quality_score",
        name="Contact quality score",
        formula="qa_score over non-voice contacts",
        unit="score",
        direction="higher_is_better",
        roll_up="R",
        fact="qa_evaluations",
        numerator={"other_score_pct": 1},
        denominator={"other_evaluations": 1},
        breakdowns=("channel", "skill", "agent"),
    ),
    _percent(
        id="script_adherence_rate",
        name="Adherence to scripts",
        formula="100 x required script items met / required script items, over evaluations",
        direction="higher_is_better",
        fact="qa_evaluations",
        numerator={"script_items_met": 1},
        denominator={"script_items_required": 1},
        breakdowns=("channel", "skill", "agent"),
    ),
    _percent(
        id="escalation_rate",
        name="Escalation rate",
        formula="100 x handled legs escalated to a higher tier / handled legs",
        direction="lower_is_better",
        fact="contacts",
        numerator={"escalated": 1},
        denominator={"handled": 1},
    ),
    _percent(
        id="transfer_rate",
        name="Transfer rate",
        formula="100 x handled legs transferred out / handled legs",
        direction="lower_is_better",
        fact="contacts",
        numerator={"transferred": 1},
        denominator={"handled": 1},
    ),
    Kpi(
        id="first_contact_resolution_rate",
        name="First contact resolution",
        formula="100 x handled inbound contacts resolved at first contact / handled inbound "
        "contacts whose outcome is known",
        unit="percent",
        direction="higher_is_better",
        roll_up="W",
        fact="contacts",
        numerator={"fcr_resolved": 1},
        denominator={"fcr_known": 1},
        scale=100.0,
    ),
    _seconds(
        id="average_handle_time",
        name="Average handle time",
        formula="sum(talk + hold + after-call work) / handled contact legs",
        fact="contacts",
        numerator={"talk_s": 1, "hold_s": 1, "acw_s": 1},
        denominator={"handled": 1},
    ),
    _seconds(
        id="average_speed_of_answer",
        name="Average speed of answer",
        formula="sum(answer time - queue entry) / answered inbound contacts (abandons excluded)",
        fact="contacts",
        numerator={"answer_wait_s": 1},
        denominator={"answered": 1},
    ),
    _seconds(
        id="average_after_call_work_time",
        name="Average after-call work",
        formula="sum(after-call work) / handled contact legs",
        fact="contacts",
        numerator={"acw_s": 1},
        denominator={"handled": 1},
    ),
    _seconds(
        id="average_talk_time",
        name="Average talk time",
        formula="sum(talk, hold excluded) / handled contact legs",
        fact="contacts",
        numerator={"talk_s": 1},
        denominator={"handled": 1},
    ),
    _seconds(
        id="average_hold_time",
        name="Average hold time",
        formula="sum(hold) / handled legs that were put on hold",
        fact="contacts",
        numerator={"hold_s": 1},
        denominator={"held": 1},
    ),
    _percent(
        id="service_level",
        name="Service level",
        formula="100 x answered within 20 s / (answered + abandoned - abandoned within 5 s), "
        "by offer time",
        direction="higher_is_better",
        fact="contacts",
        numerator={"answered_in_threshold": 1},
        denominator={"answered_of_offered": 1, "abandoned": 1, "abandoned_short": -1},
    ),
    _percent(
        id="abandonment_rate",
        name="Abandonment rate",
        formula="100 x inbound contacts abandoned in queue / inbound contacts offered",
        direction="lower_is_better",
        fact="contacts",
        numerator={"abandoned": 1},
        denominator={"offered": 1},
    ),
    _seconds(
        id="average_abandon_time",
        name="Average abandon time",
        formula="sum of queue waits of abandoned contacts / abandoned contacts",
        fact="contacts",
        numerator={"abandon_wait_s": 1},
        denominator={"abandoned": 1},
    ),
    Kpi(
        id="contacts_offered",
        name="Contacts offered",
        formula="inbound contact legs offered to a queue",
        unit="count",
        direction="neutral",
        roll_up="A",
        fact="contacts",
        numerator={"offered": 1},
    ),
    Kpi(
        id="contacts_handled",
        name="Contacts handled",
        formula="contact legs answered by an agent, counted when their wrap-up ends",
        unit="count",
        direction="neutral",
        roll_up="A",
        fact="contacts",
        numerator={"handled": 1},
    ),
    _seconds(
        id="average_response_time",
        name="Average response time",
        formula="sum(agent reply time - earliest unanswered customer message) / agent replies",
        fact="responses",
        numerator={"response_s": 1},
        denominator={"replies": 1},
    ),
    _seconds(
        id="first_response_time",
        name="First response time",
        formula="mean time from contact creation to the first public agent reply",
        fact="responses",
        numerator={"first_response_s": 1},
        denominator={"first_replies": 1},
    ),
)

CATALOG: Mapping[str, Kpi] = MappingProxyType({k.id: k for k in _KPIS})


def kpi(kpi_id: str) -> Kpi:
    """Return the KPI `kpi_id`, or raise `UnknownKpiError` listing the valid ids."""
    try:
        return CATALOG[kpi_id]
    except KeyError:
        raise UnknownKpiError(
            f"`{kpi_id}` is not a KPI of the catalogue; valid ids: {', '.join(sorted(CATALOG))}"
        ) from None
