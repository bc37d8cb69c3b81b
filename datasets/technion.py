"""Technion "Anonymous Bank" call logs (1999) -> a CSV shaped like `cc.contacts`.

Usage: .venv/bin/python datasets/technion.py SRC [SRC ...] OUT.csv
then:  ccpulse load-files OUT.csv --table contacts --mapping datasets/technion.toml

One tab-separated line per call: it passes the voice response unit (VRU), may wait in a queue,
and ends with AGENT (served), HANG (hung up) or PHANTOM (a virtual call the data's authors say
to ignore). Each call becomes one contact leg, or is skipped with its reason counted:

- PHANTOM: skipped.
- HANG without a queue entry (`q_start` 0:00:00): the caller left the VRU before reaching a
  queue, so the call was never offered to agents; skipped.
- HANG after queueing: abandoned; it waited `q_time` seconds.
- AGENT: answered after `q_time` seconds in the queue (0 when it went straight to a free agent),
  talked `ser_time` seconds with agent `server` (`NO_SERVER` -> unknown agent).

Times are rebuilt from the call's own durations, anchored on the queue entry (or the VRU exit
for a call that never queued): answered = offered + q_time, ended = answered + ser_time. The
three clocks of the log (VRU, queue, agent) disagree by a second or two (and by up to a minute
where `vru_time` is negative), so mixing their time stamps would give negative waits.

The log's times are local wall-clock times without a zone; they are written without an offset
and therefore read as UTC, so a day of the warehouse is a day of the bank.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

FIELDS = (
    "vru+line",
    "call_id",
    "customer_id",
    "priority",
    "type",
    "date",
    "vru_entry",
    "vru_exit",
    "vru_time",
    "q_start",
    "q_exit",
    "q_time",
    "outcome",
    "ser_start",
    "ser_exit",
    "ser_time",
    "server",
)
OUTPUT_COLUMNS = (
    "contact_id",
    "leg",
    "customer_id",
    "agent_id",
    "skill",
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
NO_TIME = "0:00:00"
NO_AGENT = "NO_SERVER"
UNKNOWN_CUSTOMER = "0"
HALF_DAY = timedelta(hours=12)


@dataclass(frozen=True)
class Call:
    """One line of the log, by field name."""

    fields: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.fields[name]


def read_calls(path: Path) -> Iterator[Call]:
    """The calls of one log file, whatever its line ends.

    January's file ends lines with CRLF, October's with LF. Two October lines join `priority`
    and `type` with spaces instead of a tab (16 fields); they are split on the blanks.
    """
    with path.open(newline="", encoding="ascii") as handle:
        lines = handle.read().splitlines()
    for line in lines[1:]:
        if line.strip():
            yield Call(dict(zip(FIELDS, split_fields(line, path), strict=True)))


def split_fields(line: str, path: Path) -> list[str]:
    fields = line.split("\t")
    if len(fields) == len(FIELDS) - 1:
        priority, _, queue_type = fields[3].partition(" ")
        fields[3:4] = [priority, queue_type.strip()]
    if len(fields) != len(FIELDS):
        raise ValueError(f"`{path}`: expected {len(FIELDS)} fields, found {len(fields)}: {line!r}")
    return fields


def clock_on(day: datetime, clock: str, after: datetime) -> datetime:
    """The time `clock` (H:MM:SS) on `day`, or the next day if it is half a day before `after`.

    A call that starts before midnight may queue or talk after it; the log keeps only the
    calling date. A clock a few seconds or a minute early (a negative `vru_time`) is the clocks
    disagreeing, not a new day.
    """
    hours, minutes, seconds = (int(part) for part in clock.split(":"))
    moment = day + timedelta(hours=hours, minutes=minutes, seconds=seconds)
    return moment + timedelta(days=1) if moment < after - HALF_DAY else moment


def offered_at(call: Call) -> datetime:
    day = datetime.strptime(call["date"], "%y%m%d")
    entered_vru = clock_on(day, call["vru_entry"], day)
    queue_clock = call["q_start"] if is_queued(call) else call["vru_exit"]
    return clock_on(day, queue_clock, entered_vru)


def is_queued(call: Call) -> bool:
    return call["q_start"] != NO_TIME


def skip_reason(call: Call) -> str | None:
    """Why a call is not a contact leg, or None if it is one."""
    if call["outcome"] == "PHANTOM":
        return "PHANTOM (virtual call)"
    if call["outcome"] == "HANG" and not is_queued(call):
        return "HANG in the VRU (never queued)"
    if call["outcome"] not in ("AGENT", "HANG"):
        raise ValueError(f"call `{call['call_id']}`: unknown outcome `{call['outcome']}`")
    return None


def contact_leg(call: Call) -> dict[str, str]:
    offered = offered_at(call)
    wait_s = int(call["q_time"])
    answered = call["outcome"] == "AGENT"
    talk_s = int(call["ser_time"]) if answered else 0
    answered_at = offered + timedelta(seconds=wait_s) if answered else None
    ended_at = offered + timedelta(seconds=wait_s + talk_s)
    agent = call["server"] if answered and call["server"] != NO_AGENT else ""
    customer = call["customer_id"] if call["customer_id"] != UNKNOWN_CUSTOMER else ""
    return {
        "contact_id": contact_id(call),
        "leg": "1",
        "customer_id": customer,
        "agent_id": agent,
        "skill": call["type"],
        "offered_at": offered.isoformat(),
        "answered_at": answered_at.isoformat() if answered_at else "",
        "ended_at": ended_at.isoformat(),
        "wait_s": str(wait_s),
        "talk_s": str(talk_s),
        "hold_s": "0",
        "acw_s": "0",
        "abandoned": "0" if answered else "1",
        "transferred": "0",
        "escalated": "0",
    }


def contact_id(call: Call) -> str:
    """Call ids count per VRU line; the date keeps the two months apart."""
    return f"{call['date']}-{call['vru+line']}-{call['call_id']}"


def convert(sources: Iterable[Path], out: Path) -> Counter[str]:
    """Write the contact legs of every source log to `out`; return the counts per outcome."""
    counts: Counter[str] = Counter()
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=OUTPUT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for source in sources:
            for call in read_calls(source):
                reason = skip_reason(call)
                if reason:
                    counts[f"skipped: {reason}"] += 1
                    continue
                writer.writerow(contact_leg(call))
                counts["abandoned" if call["outcome"] == "HANG" else "answered"] += 1
    return counts


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    *sources, out = (Path(arg) for arg in argv)
    for what, count in sorted(convert(sources, out).items()):
        print(f"{what}: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
