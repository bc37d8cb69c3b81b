"""Queue-Simulator 2021 (one simulated year of a call centre) -> a CSV shaped like `cc.contacts`.

Usage: .venv/bin/python datasets/queue_simulator.py SRC.csv OUT.csv
then:  ccpulse load-files OUT.csv --table contacts --mapping datasets/queue_simulator.toml

One row per call, every call answered: `call_id`, `date` (ISO), `call_started`,
`call_answered`, `call_ended` (12-hour clock with AM/PM), `wait_length` and `service_length`
(seconds) and `meets_standard` (waited 60 s or less). The simulation names no agent and no
queue. Times are written without an offset (read as UTC); CRLF line ends.
"""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from pathlib import Path

OUTPUT_COLUMNS = (
    "contact_id",
    "leg",
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
)


def clock_time(day: str, clock: str) -> str:
    """`2021-01-01` and `1:05:09 PM` -> `2021-01-01T13:05:09`."""
    return datetime.strptime(f"{day} {clock.strip()}", "%Y-%m-%d %I:%M:%S %p").isoformat()


def contact_leg(call: dict[str, str]) -> dict[str, str]:
    return {
        "contact_id": call["call_id"],
        "leg": "1",
        "offered_at": clock_time(call["date"], call["call_started"]),
        "answered_at": clock_time(call["date"], call["call_answered"]),
        "ended_at": clock_time(call["date"], call["call_ended"]),
        "wait_s": call["wait_length"],
        "talk_s": call["service_length"],
        "hold_s": "0",
        "acw_s": "0",
        "abandoned": "0",
        "transferred": "0",
        "escalated": "0",
    }


def convert(source: Path, out: Path) -> int:
    """Write one contact leg per simulated call; return how many."""
    written = 0
    with (
        source.open(newline="", encoding="utf-8-sig") as src,
        out.open("w", newline="", encoding="utf-8") as dst,
    ):
        writer = csv.DictWriter(dst, OUTPUT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for call in csv.DictReader(src):
            writer.writerow(contact_leg(call))
            written += 1
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"contacts: {convert(Path(argv[0]), Path(argv[1]))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
