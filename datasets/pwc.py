"""PwC "Call Centre Trends" -> CSVs shaped like `cc.contacts` and `cc.surveys`.

Usage: .venv/bin/python datasets/pwc.py SRC.csv OUT_DIR
then:  ccpulse load-files OUT_DIR/contacts.csv --table contacts --mapping datasets/pwc.toml
       ccpulse load-files OUT_DIR/surveys.csv --table surveys --mapping datasets/pwc_surveys.toml

One row per call: id, agent, date, time, topic, answered Y/N, resolved Y/N, speed of answer (s),
talk duration (s per call, despite the name `avgtalkduration`), satisfaction 1-5.

Quirks of the published CSV:
- Dates come in two spellings, both month first: `01-02-2021` (zero-padded, dashes) for days 1
  to 12 and `1/13/2021` for days 13 to 31 (a spreadsheet round trip). The rows are in call order
  and the `.xlsx` twin holds ISO dates, which both confirm month-first.
- Unanswered calls have no speed of answer, talk time 0 and no rating; they still name an agent
  (the one the call was routed to), which is kept, so abandonment can be read per agent.
- Two empty trailing columns, CRLF line ends.

An unanswered call is abandoned; its wait is not in the data and is written as 0 because the
unified model requires a number (so `average_abandon_time` and `service_level` are not supported
on this data set; see datasets/README.md). The satisfaction rating becomes a CSAT survey answer
(scale 1-5) tied to the call, answered when the call ended (the data has no survey time).
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

CONTACT_COLUMNS = (
    "contact_id",
    "leg",
    "agent_id",
    "skill",
    "reason",
    "offered_at",
    "answered_at",
    "ended_at",
    "wait_s",
    "talk_s",
    "hold_s",
    "acw_s",
    "abandoned",
    "transferred",
    "escalated",
    "resolved_first_contact",
)
SURVEY_COLUMNS = (
    "response_id",
    "kind",
    "score",
    "scale_min",
    "scale_max",
    "contact_id",
    "agent_id",
    "skill",
    "responded_at",
)
YES = "Y"


def read_calls(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if row["call id"].strip():
                yield row


def call_date(text: str) -> datetime:
    """Parse either spelling of the data set's month-first dates."""
    spelling = "%m-%d-%Y" if "-" in text else "%m/%d/%Y"
    return datetime.strptime(text.strip(), spelling)


def offered_at(call: dict[str, str]) -> datetime:
    hours, minutes, seconds = (int(part) for part in call["time"].split(":"))
    return call_date(call["date"]) + timedelta(hours=hours, minutes=minutes, seconds=seconds)


def is_answered(call: dict[str, str]) -> bool:
    return call["answered (Y/N)"].strip() == YES


def answer_and_end(call: dict[str, str]) -> tuple[datetime, datetime]:
    answered_at = offered_at(call) + timedelta(seconds=int(call["speed of answer in seconds"]))
    return answered_at, answered_at + timedelta(seconds=int(call["avgtalkduration"]))


def contact_leg(call: dict[str, str]) -> dict[str, str]:
    answered = is_answered(call)
    answered_at, ended_at = answer_and_end(call) if answered else (None, None)
    return {
        "contact_id": call["call id"],
        "leg": "1",
        "agent_id": call["agent"],
        "skill": call["topic"],
        "reason": call["topic"],
        "offered_at": offered_at(call).isoformat(),
        "answered_at": answered_at.isoformat() if answered_at else "",
        "ended_at": ended_at.isoformat() if ended_at else "",
        "wait_s": call["speed of answer in seconds"] if answered else "0",
        "talk_s": call["avgtalkduration"] if answered else "0",
        "hold_s": "0",
        "acw_s": "0",
        "abandoned": "0" if answered else "1",
        "transferred": "0",
        "escalated": "0",
        "resolved_first_contact": ("1" if call["resolved"] == YES else "0") if answered else "",
    }


def csat_answer(call: dict[str, str]) -> dict[str, str] | None:
    rating = call["satisfaction rating"].strip()
    if not rating:
        return None
    _, ended_at = answer_and_end(call)
    return {
        "response_id": call["call id"],
        "kind": "csat",
        "score": rating,
        "scale_min": "1",
        "scale_max": "5",
        "contact_id": call["call id"],
        "agent_id": call["agent"],
        "skill": call["topic"],
        "responded_at": ended_at.isoformat(),
    }


def convert(source: Path, out_dir: Path) -> tuple[int, int]:
    """Write `contacts.csv` and `surveys.csv` into `out_dir`; return their row counts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    contacts = surveys = 0
    with (
        (out_dir / "contacts.csv").open("w", newline="", encoding="utf-8") as contacts_file,
        (out_dir / "surveys.csv").open("w", newline="", encoding="utf-8") as surveys_file,
    ):
        contact_writer = csv.DictWriter(contacts_file, CONTACT_COLUMNS, lineterminator="\n")
        survey_writer = csv.DictWriter(surveys_file, SURVEY_COLUMNS, lineterminator="\n")
        contact_writer.writeheader()
        survey_writer.writeheader()
        for call in read_calls(source):
            contact_writer.writerow(contact_leg(call))
            contacts += 1
            answer = csat_answer(call)
            if answer:
                survey_writer.writerow(answer)
                surveys += 1
    return contacts, surveys


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    contacts, surveys = convert(Path(argv[0]), Path(argv[1]))
    print(f"contacts: {contacts}\nsurveys: {surveys}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
