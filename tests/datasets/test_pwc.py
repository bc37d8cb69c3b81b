"""PwC call-centre trends through `ccpulse load-files` (contacts and CSAT), against the raw CSV.

The reference reads the published CSV itself: month-first dates in two spellings, unanswered
calls without speed of answer, talk time or rating, the rating as a 1-5 CSAT answer given when
the call ended.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.datasets.conftest import (
    assert_same_kpi,
    convert,
    kpi_command,
    load_command,
    mapping,
    new_workspace,
    published,
)
from tests.datasets.reference import (
    Answer,
    Leg,
    Parts,
    Query,
    expected_contact_kpis,
    survey_kpi,
)

SOURCE = "pwc-call-centre-trends.csv"
CONTACT_KPIS = (
    "contacts_offered",
    "abandonment_rate",
    "average_speed_of_answer",
    "average_handle_time",
    "average_talk_time",
    "contacts_handled",
    "first_contact_resolution_rate",
)
SURVEY_KPIS = ("csat", "csat_mean_score")
VIEWS = (((), "all"), (("agent",), "all"), (("skill",), "all"), ((), "day"), (("agent",), "day"))
CONTACT_QUERIES = [(kpi_id, by, grain) for kpi_id in CONTACT_KPIS for by, grain in VIEWS]
SURVEY_QUERIES = [(kpi_id, by, grain) for kpi_id in SURVEY_KPIS for by, grain in VIEWS]
QUERIES = CONTACT_QUERIES + SURVEY_QUERIES
# The corrected file: call ID0001 (Diane, 2021-01-01, Contract related) rated 5 instead of 3.
CORRECTED_CALL, CORRECTED_RATING = "ID0001", "5"


def call_start(call: dict[str, str]) -> datetime:
    month, day, year = (int(part) for part in call["date"].replace("/", "-").split("-"))
    hours, minutes, seconds = (int(part) for part in call["time"].split(":"))
    return datetime(year, month, day, hours, minutes, seconds)


def raw_calls(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def reference_leg(call: dict[str, str]) -> Leg:
    offered_at = call_start(call)
    if call["answered (Y/N)"] == "N":
        return Leg(call["agent"], call["topic"], offered_at, None, None, 0, 0, abandoned=True)
    wait_s = int(call["speed of answer in seconds"])
    talk_s = int(call["avgtalkduration"])
    answered_at = offered_at + timedelta(seconds=wait_s)
    ended_at = answered_at + timedelta(seconds=talk_s)
    resolved = call["resolved"] == "Y"
    return Leg(
        call["agent"],
        call["topic"],
        offered_at,
        answered_at,
        ended_at,
        wait_s,
        talk_s,
        False,
        resolved,
    )


def reference_answers(calls: list[dict[str, str]]) -> list[Answer]:
    answers = []
    for call in calls:
        if call["satisfaction rating"]:
            ended_at = reference_leg(call).ended_at
            assert ended_at is not None
            score = float(call["satisfaction rating"])
            answers.append(Answer("csat", score, 1, 5, ended_at, call["agent"], call["topic"]))
    return answers


def expected_figures(calls: list[dict[str, str]]) -> dict[Query, Parts]:
    legs = [reference_leg(call) for call in calls]
    answers = reference_answers(calls)
    expected = expected_contact_kpis(legs, CONTACT_QUERIES)
    for kpi_id, by, grain in SURVEY_QUERIES:
        expected[(kpi_id, by, grain)] = survey_kpi(answers, kpi_id, by, grain)
    return expected


def corrected_copy(source: Path, target: Path) -> list[dict[str, str]]:
    text = source.read_bytes().decode("utf-8-sig")
    lines = text.split("\r\n")
    for index, line in enumerate(lines):
        if line.startswith(f"{CORRECTED_CALL},"):
            fields = line.split(",")
            fields[9] = CORRECTED_RATING
            lines[index] = ",".join(fields)
    target.write_bytes("\r\n".join(lines).encode("utf-8"))
    return raw_calls(target)


@dataclass(frozen=True)
class PwcRun:
    expected: dict[Query, Parts]
    expected_corrected: dict[Query, Parts]
    first: dict[Query, str]
    reloaded: dict[Query, str]
    corrected: dict[Query, str]


@pytest.fixture(scope="module")
def pwc(template_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> PwcRun:
    source = published(SOURCE)
    folder = tmp_path_factory.mktemp("pwc")
    workspace = new_workspace(template_warehouse, folder)
    convert("pwc", source, folder / "first")
    corrected_calls = corrected_copy(source, folder / "corrected.csv")
    convert("pwc", folder / "corrected.csv", folder / "second")

    def loads(out: str) -> list[list[str]]:
        return [
            load_command(folder / out / "contacts.csv", "contacts", mapping("pwc")),
            load_command(folder / out / "surveys.csv", "surveys", mapping("pwc_surveys")),
        ]

    queries = [kpi_command(kpi_id, by, grain) for kpi_id, by, grain in QUERIES]
    outputs = workspace.run(
        [*loads("first"), *queries, *loads("first"), *queries, *loads("second"), *queries]
    )
    size = len(queries) + 2
    return PwcRun(
        expected=expected_figures(raw_calls(source)),
        expected_corrected=expected_figures(corrected_calls),
        first=dict(zip(QUERIES, outputs[2:size], strict=True)),
        reloaded=dict(zip(QUERIES, outputs[size + 2 : 2 * size], strict=True)),
        corrected=dict(zip(QUERIES, outputs[2 * size + 2 :], strict=True)),
    )


@pytest.mark.parametrize(("kpi_id", "by", "grain"), QUERIES, ids=lambda part: str(part))
def test_kpi_equals_the_raw_csv(pwc: PwcRun, kpi_id: str, by: tuple[str, ...], grain: str) -> None:
    query = (kpi_id, by, grain)
    assert_same_kpi(kpi_id, pwc.first[query], by, pwc.expected[query])


def test_loading_the_same_files_twice_changes_no_kpi(pwc: PwcRun) -> None:
    assert pwc.reloaded == pwc.first


def test_a_corrected_rating_changes_only_csat(pwc: PwcRun) -> None:
    changed = {query for query in QUERIES if pwc.corrected[query] != pwc.first[query]}
    assert changed == set(SURVEY_QUERIES)
    for query in QUERIES:
        kpi_id, by, _ = query
        assert_same_kpi(kpi_id, pwc.corrected[query], by, pwc.expected_corrected[query])
