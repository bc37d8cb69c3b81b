"""prepbench NPS surveys (case_040 Sudzilla, case_122 airlines) -> a CSV shaped like `cc.surveys`.

Usage: .venv/bin/python datasets/prepbench_nps.py SRC.csv [SRC.csv ...] OUT.csv
then:  ccpulse load-files OUT.csv --table surveys --mapping datasets/prepbench_nps.toml

Both cases ask a 0-10 "would you recommend" question; each answer becomes one NPS response.

- case_040 (`inputs/input_01.csv` or `input_02.csv`, the same 39 answers): the score is "On a
  scale of 0-10, how would you rate Sudzilla?". No respondent id, so the submission time stamp is
  the response id (unique; `input_02.csv` has milliseconds, `input_01.csv` has `11/1/2019
  8:51:12`, month first). The skill column is left empty.
- case_122 (`input_01.csv` other airlines, `input_02.csv` Prep Air): the score is "How likely are
  you to recommend this airline?", `CustomerID` is unique across both files and becomes the
  response and customer id, and `Airline` goes into `skill`, the only breakdown the model offers
  for it (NPS per airline is `ccpulse kpi nps --by skill`). The data has no answer time; every
  answer is dated `AIRLINE_SURVEY_DAY`, a stand-in.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

OUTPUT_COLUMNS = ("response_id", "customer_id", "skill", "score", "responded_at")
SUDZILLA_SCORE = "On a scale of 0-10, how would you rate Sudzilla?"
AIRLINE_SCORE = "How likely are you to recommend this airline?"
AIRLINE_SURVEY_DAY = "2021-01-01T00:00:00"


def sudzilla_time(text: str) -> str:
    """Either spelling of case_040's time stamps, as ISO 8601."""
    for spelling in ("%Y-%m-%d %H:%M:%S.%f", "%m/%d/%Y %H:%M:%S"):
        try:
            return datetime.strptime(text.strip(), spelling).isoformat(timespec="milliseconds")
        except ValueError:
            continue
    raise ValueError(f"`{text}` is not a case_040 time stamp")


def nps_answer(row: dict[str, str]) -> dict[str, str]:
    if SUDZILLA_SCORE in row:
        responded_at = sudzilla_time(row["Timestamp"])
        return {
            "response_id": f"sudzilla-{responded_at}",
            "customer_id": "",
            "skill": "",
            "score": row[SUDZILLA_SCORE],
            "responded_at": responded_at,
        }
    return {
        "response_id": row["CustomerID"],
        "customer_id": row["CustomerID"],
        "skill": row["Airline"],
        "score": row[AIRLINE_SCORE],
        "responded_at": AIRLINE_SURVEY_DAY,
    }


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        yield from csv.DictReader(handle)


def convert(sources: list[Path], out: Path) -> int:
    written = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, OUTPUT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for source in sources:
            for row in read_rows(source):
                writer.writerow(nps_answer(row))
                written += 1
    return written


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    *sources, out = (Path(arg) for arg in argv)
    print(f"surveys: {convert(sources, out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
