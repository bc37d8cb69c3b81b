"""Technion call logs (January and October 1999) through `ccpulse load-files`, against the raw logs.

The reference reads the published tab-separated logs itself (CRLF or LF, the two October lines
whose priority and type are joined by blanks, negative VRU times, calls that run past midnight)
and applies the mapping datasets/README.md documents.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.datasets.conftest import (
    Workspace,
    assert_same_kpi,
    convert,
    kpi_command,
    load_command,
    mapping,
    new_workspace,
    published,
)
from tests.datasets.reference import Leg, Parts, Query, expected_contact_kpis

MONTHS = ("technion-anonymous-bank-1999-01.txt", "technion-anonymous-bank-1999-10.txt")
KPIS = (
    "contacts_offered",
    "abandonment_rate",
    "average_abandon_time",
    "service_level",
    "average_speed_of_answer",
    "average_handle_time",
    "average_talk_time",
    "contacts_handled",
)
VIEWS = (((), "all"), (("agent",), "all"), (("skill",), "all"), ((), "day"), (("agent",), "day"))
QUERIES = [(kpi_id, by, grain) for kpi_id in KPIS for by, grain in VIEWS]
# The call whose talk time the "corrected" January log changes, and by how much.
CORRECTED_CALL = ("AA0101", "33118")
TALK_CORRECTION_S = 100
HALF_DAY_S = 12 * 3600


def seconds_of(clock: str) -> int:
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    return hours * 3600 + minutes * 60 + seconds


def raw_calls(path: Path) -> list[dict[str, str]]:
    lines = path.read_bytes().decode("ascii").splitlines()
    names = lines[0].split("\t")
    return [dict(zip(names, re.split(r"[\t ]+", line), strict=True)) for line in lines[1:]]


def reference_leg(call: dict[str, str]) -> Leg | None:
    """The leg the documented mapping makes of one raw call (None: not offered to a queue)."""
    queued = call["q_start"] != "0:00:00"
    if call["outcome"] == "PHANTOM" or (call["outcome"] == "HANG" and not queued):
        return None
    day = datetime(1900 + int(call["date"][:2]), int(call["date"][2:4]), int(call["date"][4:]))
    entry_s = seconds_of(call["vru_entry"])
    offered_s = seconds_of(call["q_start"] if queued else call["vru_exit"])
    if offered_s < entry_s - HALF_DAY_S:
        offered_s += 24 * 3600
    offered_at = day + timedelta(seconds=offered_s)
    wait_s = int(call["q_time"])
    if call["outcome"] == "HANG":
        return Leg(None, call["type"], offered_at, None, None, wait_s, 0, abandoned=True)
    talk_s = int(call["ser_time"])
    answered_at = offered_at + timedelta(seconds=wait_s)
    agent = None if call["server"] == "NO_SERVER" else call["server"]
    ended_at = answered_at + timedelta(seconds=talk_s)
    return Leg(agent, call["type"], offered_at, answered_at, ended_at, wait_s, talk_s, False)


def reference_legs(paths: list[Path]) -> list[Leg]:
    legs = (reference_leg(call) for path in paths for call in raw_calls(path))
    return [leg for leg in legs if leg is not None]


def corrected_january(source: Path, target: Path) -> None:
    """A copy of the January log in which one call talked `TALK_CORRECTION_S` seconds longer."""
    lines = source.read_bytes().decode("ascii").split("\r\n")
    vru_line, call_id = CORRECTED_CALL
    for index, line in enumerate(lines):
        fields = line.split("\t")
        if fields[:2] == [vru_line, call_id]:
            fields[15] = str(int(fields[15]) + TALK_CORRECTION_S)
            lines[index] = "\t".join(fields)
            break
    else:
        raise AssertionError(f"call {CORRECTED_CALL} not in {source}")
    target.write_bytes("\r\n".join(lines).encode("ascii"))


@dataclass(frozen=True)
class TechnionRun:
    legs: list[Leg]
    expected: dict[Query, Parts]
    expected_corrected: dict[Query, Parts]
    first: dict[Query, str]
    reloaded: dict[Query, str]
    corrected: dict[Query, str]
    converter_output: str


def queries_of(outputs: list[str]) -> dict[Query, str]:
    return dict(zip(QUERIES, outputs, strict=True))


@pytest.fixture(scope="module")
def technion(template_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> TechnionRun:
    logs = [published(name) for name in MONTHS]
    folder = tmp_path_factory.mktemp("technion")
    workspace: Workspace = new_workspace(template_warehouse, folder)
    converter_output = convert("technion", *logs, folder / "contacts.csv")
    corrected_log = folder / "corrected-1999-01.txt"
    corrected_january(logs[0], corrected_log)
    convert("technion", corrected_log, logs[1], folder / "corrected.csv")

    queries = [kpi_command(kpi_id, by, grain) for kpi_id, by, grain in QUERIES]
    load = load_command(folder / "contacts.csv", "contacts", mapping("technion"))
    reload = load_command(folder / "corrected.csv", "contacts", mapping("technion"))
    outputs = workspace.run([load, *queries, load, *queries, reload, *queries])
    size = len(queries) + 1
    legs = reference_legs(logs)
    return TechnionRun(
        legs=legs,
        expected=expected_contact_kpis(legs, QUERIES),
        expected_corrected=expected_contact_kpis(reference_legs([corrected_log, logs[1]]), QUERIES),
        first=queries_of(outputs[1:size]),
        reloaded=queries_of(outputs[size + 1 : 2 * size]),
        corrected=queries_of(outputs[2 * size + 1 :]),
        converter_output=converter_output,
    )


@pytest.mark.parametrize(("kpi_id", "by", "grain"), QUERIES, ids=lambda part: str(part))
def test_kpi_equals_the_raw_logs(
    technion: TechnionRun, kpi_id: str, by: tuple[str, ...], grain: str
) -> None:
    query = (kpi_id, by, grain)
    assert_same_kpi(kpi_id, technion.first[query], by, technion.expected[query])


def test_converter_skips_only_phantoms_and_vru_hang_ups(technion: TechnionRun) -> None:
    calls = [call for name in MONTHS for call in raw_calls(published(name))]
    phantoms = sum(call["outcome"] == "PHANTOM" for call in calls)
    in_vru = sum(call["outcome"] == "HANG" and call["q_start"] == "0:00:00" for call in calls)
    assert f"skipped: PHANTOM (virtual call): {phantoms}" in technion.converter_output
    assert f"skipped: HANG in the VRU (never queued): {in_vru}" in technion.converter_output
    assert len(technion.legs) == len(calls) - phantoms - in_vru


def test_loading_the_same_file_twice_changes_no_kpi(technion: TechnionRun) -> None:
    assert technion.reloaded == technion.first


def test_a_corrected_file_changes_exactly_the_talk_kpis_of_that_call(
    technion: TechnionRun,
) -> None:
    changed = {query for query in QUERIES if technion.corrected[query] != technion.first[query]}
    talk_kpis = {"average_handle_time", "average_talk_time"}
    assert changed == {query for query in QUERIES if query[0] in talk_kpis}
    for query in QUERIES:
        kpi_id, by, _ = query
        assert_same_kpi(kpi_id, technion.corrected[query], by, technion.expected_corrected[query])


@pytest.mark.parametrize("kpi_id", ["average_handle_time", "average_talk_time"])
def test_a_corrected_file_moves_only_the_agent_and_day_of_that_call(
    technion: TechnionRun, kpi_id: str
) -> None:
    before = agent_day_values(technion.first[(kpi_id, ("agent",), "day")])
    after = agent_day_values(technion.corrected[(kpi_id, ("agent",), "day")])
    moved = {key for key in before if before[key] != after.get(key)}
    assert moved == {("1999-01-01T00:00:00", "MICHAL")}


def agent_day_values(output: str) -> dict[tuple[str, str], object]:
    return {(row["period"], row["agent"]): row["value"] for row in json.loads(output)}
