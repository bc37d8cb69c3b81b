"""prepbench NPS surveys (case_040, case_122) through `ccpulse load-files`, against the raw CSVs
and the expected figures prepbench publishes in `gt/`.
"""

from __future__ import annotations

import csv
import json
import math
import statistics
from dataclasses import dataclass
from datetime import datetime
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
from tests.datasets.reference import Answer, survey_kpi

SUDZILLA = "prepbench/case_040"
AIRLINES = "prepbench/case_122"
SUDZILLA_SCORE = "On a scale of 0-10, how would you rate Sudzilla?"
AIRLINE_SCORE = "How likely are you to recommend this airline?"
# case_122 leaves out airlines with fewer answers before taking the z-score.
MIN_AIRLINE_ANSWERS = 50
# gt rounds each airline's promoter and detractor percentages down before subtracting them, so
# its NPS and z-score differ from the exact ones by up to a point and a hundredth.
GT_NPS_TOLERANCE = 1.0
GT_Z_TOLERANCE = 0.015
# Both cases share one warehouse; their answers lie on different days.
SUDZILLA_DAYS = ("2019-11-01", "2019-11-30")
AIRLINE_DAYS = ("2021-01-01", "2021-01-01")


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def sudzilla_answers() -> list[Answer]:
    rows = read_csv(published(SUDZILLA) / "inputs" / "input_02.csv")
    return [
        Answer("nps", float(row[SUDZILLA_SCORE]), 0, 10, datetime.fromisoformat(row["Timestamp"]))
        for row in rows
    ]


def airline_answers() -> list[Answer]:
    inputs = published(AIRLINES) / "inputs"
    rows = read_csv(inputs / "input_01.csv") + read_csv(inputs / "input_02.csv")
    stand_in_day = datetime(2021, 1, 1)
    return [
        Answer("nps", float(row[AIRLINE_SCORE]), 0, 10, stand_in_day, skill=row["Airline"])
        for row in rows
    ]


@dataclass(frozen=True)
class NpsRun:
    sudzilla: str
    sudzilla_by_day: str
    airlines: str
    airlines_by_skill: str
    reloaded: list[str]


@pytest.fixture(scope="module")
def nps_run(template_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> NpsRun:
    folder = tmp_path_factory.mktemp("prepbench")
    sudzilla_inputs = published(SUDZILLA) / "inputs"
    airline_inputs = published(AIRLINES) / "inputs"
    convert("prepbench_nps", sudzilla_inputs / "input_01.csv", folder / "sudzilla.csv")
    convert(
        "prepbench_nps",
        airline_inputs / "input_01.csv",
        airline_inputs / "input_02.csv",
        folder / "airlines.csv",
    )
    workspace = new_workspace(template_warehouse, folder / "run")
    loads = [
        load_command(folder / "sudzilla.csv", "surveys", mapping("prepbench_nps")),
        load_command(folder / "airlines.csv", "surveys", mapping("prepbench_nps")),
    ]
    queries = [
        kpi_command("nps", days=SUDZILLA_DAYS),
        kpi_command("nps", grain="day", days=SUDZILLA_DAYS),
        kpi_command("nps", days=AIRLINE_DAYS),
        kpi_command("nps", ("skill",), days=AIRLINE_DAYS),
    ]
    outputs = workspace.run([*loads, *queries, *loads, *queries])
    first = outputs[2:6]
    return NpsRun(*first, reloaded=outputs[8:])


def test_sudzilla_nps_equals_the_raw_csv(nps_run: NpsRun) -> None:
    answers = sudzilla_answers()
    assert_same_kpi("nps", nps_run.sudzilla, (), survey_kpi(answers, "nps", (), "all"))
    by_day = survey_kpi(answers, "nps", (), "day")
    assert_same_kpi("nps", nps_run.sudzilla_by_day, (), by_day)


def test_sudzilla_nps_equals_the_published_answer(nps_run: NpsRun) -> None:
    [expected] = read_csv(published(SUDZILLA) / "gt" / "output_01.csv")
    [row] = json.loads(nps_run.sudzilla)
    promoters_minus_detractors = int(expected["Promoter"]) - int(expected["Detractor"])
    assert row["numerator"] == promoters_minus_detractors
    assert row["denominator"] == int(expected["Total Respondents"])
    assert round(row["value"], 1) == float(expected["NPS Score"])


@pytest.mark.parametrize("by", [(), ("skill",)], ids=["all", "by-airline"])
def test_airline_nps_equals_the_raw_csv(nps_run: NpsRun, by: tuple[str, ...]) -> None:
    output = nps_run.airlines_by_skill if by else nps_run.airlines
    assert_same_kpi("nps", output, by, survey_kpi(airline_answers(), "nps", by, "all"))


def test_prep_air_nps_and_z_score_match_the_published_answer(nps_run: NpsRun) -> None:
    [expected] = read_csv(published(AIRLINES) / "gt" / "output_01.csv")
    rows = json.loads(nps_run.airlines_by_skill)
    nps = {row["skill"]: row["value"] for row in rows if row["denominator"] >= MIN_AIRLINE_ANSWERS}
    z_score = (nps["Prep Air"] - statistics.mean(nps.values())) / statistics.stdev(nps.values())
    assert abs(nps[expected["Airline"]] - float(expected["NPS"])) < GT_NPS_TOLERANCE
    assert math.isclose(z_score, float(expected["Z-Score"]), abs_tol=GT_Z_TOLERANCE)


def test_loading_the_same_surveys_twice_changes_no_kpi(nps_run: NpsRun) -> None:
    before = [
        nps_run.sudzilla,
        nps_run.sudzilla_by_day,
        nps_run.airlines,
        nps_run.airlines_by_skill,
    ]
    assert nps_run.reloaded == before
