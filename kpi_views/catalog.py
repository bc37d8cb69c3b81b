"""The KPI catalogue: every KPI ccpulse keeps, as data.

A KPI is a ratio (or a count) of linear combinations of additive parts (see `facts`), read from
the aggregates at any grain and breakdown. A part is named `part` when it belongs to the KPI's
`fact`, or `source.part` when it comes from another fact or daily aggregate (utilization divides
agent-state seconds by scheduled seconds); the query then sums each source per period and
breakdown and combines them. Definitions follow KPIS.md, including its choices where vendors
disagree; `formula` says in words what the numbers mean.

Retention, churn, lifetime value and attrition compare or average levels at instants (customers
active, employees on the payroll), which no sum of hourly parts gives: such a KPI names a
`period_measure` instead of parts, and `kpi_views.periods` computes it per period when read.

The mapping of agent states to the scheduled activities they adhere to is configuration here, read
by the SQL that computes schedule adherence.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kpi_views.facts import DIMENSIONS, SOURCES
from kpi_views.periods import PERIOD_MEASURES

__all__ = ["ADHERENT_STATES", "CATALOG", "GRAINS", "Kpi", "Term", "UnknownKpiError", "kpi"]

GRAINS: tuple[str, ...] = ("hour", "day", "week", "month", "all")

Unit = Literal["percent", "seconds", "points", "score", "count", "money"]
Direction = Literal["higher_is_better", "lower_is_better", "neutral"]
RollUp = Literal["R", "A", "S", "W", "D"]
"""R ratio, A additive, S a level at an instant, W matures after a window, D derived from
other KPIs (lifetime value)."""

ADHERENT_STATES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "on_queue": frozenset({"available", "on_contact", "acw"}),
        "break": frozenset({"break"}),
        "lunch": frozenset({"break"}),
        "training": frozenset({"training"}),
        "meeting": frozenset({"meeting"}),
    }
)
"""Scheduled activity -> the agent states that count as adhering to it. Activities left out
(`off`, `other`) are not part of schedule adherence at all."""


class Term(NamedTuple):
    """One part of a KPI's numerator or denominator, with the source that holds it."""

    source: str
    part: str
    coefficient: int


class Kpi(BaseModel):
    """One KPI: `scale * sum(numerator parts) / sum(denominator parts)`, or, for a KPI with a
    `period_measure`, `scale * numerator / denominator` of levels read per period
    (`kpi_views.periods`)."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    formula: str
    unit: Unit
    direction: Direction
    roll_up: RollUp
    fact: str = ""
    """The fact (or daily aggregate) that unqualified part names belong to."""
    numerator: Mapping[str, int] = Field(default_factory=dict)
    """Part name (`part` or `source.part`) -> coefficient (1, or -1 for a subtracted part)."""
    denominator: Mapping[str, int] | None = None
    scale: float = 1.0
    breakdowns: tuple[str, ...] = DIMENSIONS
    min_respondents: int = 0
    """Groups with fewer denominator rows are suppressed (employee surveys)."""
    period_measure: str | None = None
    """A level compared or averaged over each period (retention, attrition), which no sum of
    hourly parts gives: its numerator and denominator come from `kpi_views.periods`."""

    @model_validator(mode="after")
    def _parts_exist(self) -> Kpi:
        if self.period_measure is not None:
            return self._period_measure_exists()
        if self.fact not in SOURCES:
            raise ValueError(f"KPI `{self.id}` reads unknown fact `{self.fact}`")
        for term in [*self.numerator_terms, *self.denominator_terms]:
            if term.source not in SOURCES:
                raise ValueError(f"KPI `{self.id}` reads unknown fact `{term.source}`")
            SOURCES[term.source].part(term.part)
        # A source without a breakdown's key contributes to that breakdown's empty (null) group,
        # as a service cost line does to a breakdown by agent; at least one must have the key.
        known = {name for source in self.sources for name in SOURCES[source].dimensions}
        unknown = set(self.breakdowns) - known
        if unknown:
            raise ValueError(f"KPI `{self.id}` allows breakdowns its facts lack: {unknown}")
        return self

    def _period_measure_exists(self) -> Kpi:
        measure = PERIOD_MEASURES.get(self.period_measure or "")
        if measure is None:
            raise ValueError(
                f"KPI `{self.id}` reads unknown period measure `{self.period_measure}`"
            )
        if self.numerator or self.denominator or self.fact:
            raise ValueError(f"KPI `{self.id}` reads a period measure: it has no parts or fact")
        unknown = set(self.breakdowns) - set(measure.dimensions)
        if unknown:
            raise ValueError(f"KPI `{self.id}` allows breakdowns its measure lacks: {unknown}")
        return self

    @property
    def is_ratio(self) -> bool:
        return self.denominator is not None or self.period_measure is not None

    @property
    def numerator_terms(self) -> tuple[Term, ...]:
        return self._terms(self.numerator)

    @property
    def denominator_terms(self) -> tuple[Term, ...]:
        return self._terms(self.denominator or {})

    @property
    def sources(self) -> tuple[str, ...]:
        """The facts and daily aggregates the KPI reads, in the order its terms name them."""
        terms = [*self.numerator_terms, *self.denominator_terms]
        return tuple(dict.fromkeys(term.source for term in terms))

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([*self.numerator, *(self.denominator or {})]))

    def _terms(self, combination: Mapping[str, int]) -> tuple[Term, ...]:
        terms = []
        for name, coefficient in combination.items():
            source, _, part = name.rpartition(".")
            terms.append(Term(source or self.fact, part, coefficient))
        return tuple(terms)


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
        formula="sum of CSAT scores / valid CSAT responses on a scale of five or more points",
        unit="score",
        direction="higher_is_better",
        roll_up="R",
        fact="surveys",
        numerator={"csat_score": 1},
        denominator={"csat_scored": 1},
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
        "contacts whose outcome is known; the source's outcome where it states one, else "
        "resolved when the customer made no other contact within the repeat window after it "
        "(unknown while the window is open)",
        unit="percent",
        direction="higher_is_better",
        roll_up="W",
        fact="contacts",
        numerator={"fcr_resolved": 1, "resolutions.derived_resolved": 1},
        denominator={"fcr_known": 1, "resolutions.derived_known": 1},
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

_AGENT_BREAKDOWNS = ("channel", "skill_group", "agent")
_ON_CONTACTS_S = {"on_contact_s": 1, "acw_s": 1}

_AGENT_TIME_KPIS = (
    _percent(
        id="occupancy_rate",
        name="Occupancy",
        formula="100 x (on-contact + after-contact work) state seconds / (on-contact + "
        "after-contact work + available) state seconds; states at their start, once ended",
        direction="neutral",
        fact="agent_states",
        numerator=_ON_CONTACTS_S,
        denominator={**_ON_CONTACTS_S, "available_s": 1},
        breakdowns=_AGENT_BREAKDOWNS,
    ),
    _percent(
        id="agent_utilization_rate",
        name="Agent utilization",
        formula="100 x (on-contact + after-contact work + training + meeting) state seconds / "
        "paid scheduled seconds (activities other than lunch and off)",
        direction="neutral",
        fact="agent_states",
        numerator={**_ON_CONTACTS_S, "training_s": 1, "meeting_s": 1},
        denominator={"schedules.paid_s": 1},
        breakdowns=_AGENT_BREAKDOWNS,
    ),
    _percent(
        id="shrinkage",
        name="Shrinkage",
        formula="100 x (paid scheduled seconds - (available + on-contact + after-contact work) "
        "state seconds) / paid scheduled seconds",
        direction="lower_is_better",
        fact="schedules",
        numerator={
            "paid_s": 1,
            "agent_states.available_s": -1,
            "agent_states.on_contact_s": -1,
            "agent_states.acw_s": -1,
        },
        denominator={"paid_s": 1},
        breakdowns=_AGENT_BREAKDOWNS,
    ),
    _percent(
        id="schedule_adherence_rate",
        name="Schedule adherence",
        formula="100 x scheduled seconds in which the agent's state matches the scheduled "
        "activity / scheduled seconds, per activity at its start",
        direction="higher_is_better",
        fact="adherence",
        numerator={"adherent_s": 1},
        denominator={"scheduled_s": 1},
        breakdowns=_AGENT_BREAKDOWNS,
    ),
)

_REPEAT_KPIS = (
    Kpi(
        id="repeat_contact_rate",
        name="Repeat contact rate",
        formula="100 x inbound contacts preceded by another inbound contact of the same "
        "customer within 7 days / inbound contacts, at the offer; recomputed as contacts arrive",
        unit="percent",
        direction="lower_is_better",
        roll_up="W",
        fact="repeats",
        numerator={"repeat_contacts": 1},
        denominator={"inbound_contacts": 1},
        scale=100.0,
    ),
)

_COST_KPIS = (
    Kpi(
        id="cost_per_contact",
        name="Cost per contact",
        formula="(paid scheduled hours x hourly cost + service cost lines) / handled contact "
        "legs; by channel, skill group or agent (cost lines only by channel)",
        unit="money",
        direction="lower_is_better",
        roll_up="R",
        fact="contacts",
        numerator={"labour.labour_cost": 1, "costs.service_cost": 1},
        denominator={"handled": 1},
        breakdowns=_AGENT_BREAKDOWNS,
    ),
    Kpi(
        id="cost_per_acquisition",
        name="Cost per acquisition",
        formula="acquisition spend of the period / customers acquired in the period; by "
        "marketing (acquisition) channel",
        unit="money",
        direction="lower_is_better",
        roll_up="R",
        fact="costs",
        numerator={"acquisition_cost": 1},
        denominator={"customers.acquired": 1},
        # An acquisition cost line carries the marketing channel (as the CRM spells it) that
        # its customers carry in `acquisition_channel`.
        breakdowns=("channel",),
    ),
)

_COHORT = (
    "the customers active at the period start (acquired at or before it, not churned at or "
    "before it); by channel, skill, skill group or agent, those of them with a contact handled "
    "on that value in the 90 days before the period start. Active at the end: not churned at or "
    "before the period end (now, for the period in progress)"
)

# Levels at an instant: computed per period from the current customers and employees when read,
# never summed over hours (`kpi_views.periods`).
_PERIOD_KPIS = (
    Kpi(
        id="customer_retention_rate",
        name="Customer retention",
        formula=f"100 x customers still active at the period end / {_COHORT}",
        unit="percent",
        direction="higher_is_better",
        roll_up="S",
        period_measure="retained",
        scale=100.0,
    ),
    Kpi(
        id="customer_churn_rate",
        name="Customer churn",
        formula=f"100 x customers no longer active at the period end / {_COHORT} "
        "(= 100 - retention)",
        unit="percent",
        direction="lower_is_better",
        roll_up="S",
        period_measure="churned",
        scale=100.0,
    ),
    Kpi(
        id="customer_lifetime_value",
        name="Customer lifetime value",
        formula="gross margin per paying customer in the period (revenue / customers with "
        "revenue x revenue-weighted gross margin of the payments whose margin is known) / churn "
        "of the period as a fraction of the customers active at its start; by the customers' "
        "acquisition channel. Periods without churn have no value",
        unit="money",
        direction="higher_is_better",
        roll_up="D",
        period_measure="lifetime_value",
        breakdowns=("channel",),
    ),
    Kpi(
        id="clv_to_cac_ratio",
        name="CLV : CAC",
        formula="customer lifetime value of the period / cost per acquisition of the same "
        "period (acquisition spend / customers acquired); by acquisition (marketing) channel, "
        "the spend booked on that channel over the customers it acquired",
        unit="score",
        direction="higher_is_better",
        roll_up="D",
        period_measure="lifetime_value_to_cac",
        breakdowns=("channel",),
    ),
    Kpi(
        id="employee_attrition_rate",
        name="Employee attrition",
        formula="100 x separations (terminations dated in the period) / average headcount of "
        "the period (employees hired at or before each day's midnight and not terminated "
        "before it, averaged over the period's days; an hour has its day's headcount). Heads, "
        "not FTE; a change of skill group is not a separation. By the employee's skill group, "
        "primary channel or agent",
        unit="percent",
        direction="lower_is_better",
        roll_up="S",
        period_measure="separations",
        scale=100.0,
        breakdowns=("channel", "skill_group", "agent"),
    ),
)

_CHAT_AND_SURVEY_KPIS = (
    Kpi(
        id="chat_concurrency",
        name="Chat concurrency",
        formula="handle time (talk + hold + wrap-up) of chat and messaging legs / the agent's "
        "wall-clock time with at least one of them open (each stretch of overlapping "
        "conversations counted once, at its end); by the agent's channel and skill group",
        unit="score",
        direction="neutral",
        roll_up="R",
        fact="concurrency",
        numerator={"chat_handle_s": 1},
        denominator={"chat_busy_s": 1},
        breakdowns=_AGENT_BREAKDOWNS,
    ),
    _percent(
        id="survey_response_rate",
        name="Survey response rate",
        formula="100 x surveys answered / surveys sent, at the time they were sent; only "
        "sources that report the surveys they send (Zendesk ratings offered) count",
        direction="higher_is_better",
        fact="survey_invitations",
        numerator={"surveys_answered": 1},
        denominator={"surveys_sent": 1},
    ),
)

CATALOG: Mapping[str, Kpi] = MappingProxyType(
    {
        k.id: k
        for k in (
            *_KPIS,
            *_AGENT_TIME_KPIS,
            *_REPEAT_KPIS,
            *_COST_KPIS,
            *_PERIOD_KPIS,
            *_CHAT_AND_SURVEY_KPIS,
        )
    }
)


def kpi(kpi_id: str) -> Kpi:
    """Return the KPI `kpi_id`, or raise `UnknownKpiError` listing the valid ids."""
    try:
        return CATALOG[kpi_id]
    except KeyError:
        raise UnknownKpiError(
            f"`{kpi_id}` is not a KPI of the catalogue; valid ids: {', '.join(sorted(CATALOG))}"
        ) from None
