"""Queue-Simulator 2021 through `ccpulse load-files`, against the raw CSV.

Every simulated call is answered and no agent is named. ccpulse counts a leg as handled only
when an agent is named, so answer and handle times are empty on this data set although KPIS.md
defines ASA over answered queued contacts: that gap is the expected failure below.
"""

from __future__ import annotations

import csv
import json
import math
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
from tests.datasets.reference import Leg, Parts, Query, expected_contact_kpis

SOURCE = "queue-simulator-2021.csv"
KPIS = ("contacts_offered", "abandonment_rate", "service_level")
QUERIES = [(kpi_id, (), grain) for kpi_id in KPIS for grain in ("all", "day")]
ASA_QUERY = ("average_speed_of_answer", (), "all")


def clock(day: str, text: str) -> datetime:
    hours_text, minutes, rest = text.split(":")
    seconds, half = rest.split(" ")
    hours = int(hours_text) % 12 + (12 if half == "PM" else 0)
    year, month, day_of_month = (int(part) for part in day.split("-"))
    return datetime(year, month, day_of_month, hours, int(minutes), int(seconds))


def reference_legs(path: Path) -> list[Leg]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        calls = list(csv.DictReader(handle))
    return [
        Leg(
            agent=None,
            skill=None,
            offered_at=clock(call["date"], call["call_started"]),
            answered_at=clock(call["date"], call["call_answered"]),
            ended_at=clock(call["date"], call["call_ended"]),
            wait_s=int(call["wait_length"]),
            talk_s=int(call["service_length"]),
            abandoned=False,
        )
        for call in calls
    ]


@dataclass(frozen=True)
class QueueRun:
    legs: list[Leg]
    expected: dict[Query, Parts]
    first: dict[Query, str]
    reloaded: dict[Query, str]
    asa: str


@pytest.fixture(scope="module")
def queue_run(template_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> QueueRun:
    source = published(SOURCE)
    folder = tmp_path_factory.mktemp("queue_simulator")
    workspace = new_workspace(template_warehouse, folder)
    convert("queue_simulator", source, folder / "contacts.csv")
    load = load_command(folder / "contacts.csv", "contacts", mapping("queue_simulator"))
    queries = [kpi_command(*query) for query in QUERIES]
    outputs = workspace.run([load, *queries, load, *queries, kpi_command(*ASA_QUERY)])
    size = len(queries) + 1
    legs = reference_legs(source)
    return QueueRun(
        legs=legs,
        expected=expected_contact_kpis(legs, QUERIES),
        first=dict(zip(QUERIES, outputs[1:size], strict=True)),
        reloaded=dict(zip(QUERIES, outputs[size + 1 : 2 * size], strict=True)),
        asa=outputs[-1],
    )


@pytest.mark.parametrize(("kpi_id", "by", "grain"), QUERIES, ids=lambda part: str(part))
def test_kpi_equals_the_raw_csv(
    queue_run: QueueRun, kpi_id: str, by: tuple[str, ...], grain: str
) -> None:
    query = (kpi_id, by, grain)
    assert_same_kpi(kpi_id, queue_run.first[query], by, queue_run.expected[query])


def test_loading_the_same_file_twice_changes_no_kpi(queue_run: QueueRun) -> None:
    assert queue_run.reloaded == queue_run.first


def test_average_speed_of_answer_covers_calls_without_a_named_agent(queue_run: QueueRun) -> None:
    waits = [leg.wait_s for leg in queue_run.legs if leg.answered_at is not None]
    [row] = json.loads(queue_run.asa) or [{"value": math.nan}]
    assert math.isclose(row["value"], sum(waits) / len(waits), rel_tol=1e-9)
