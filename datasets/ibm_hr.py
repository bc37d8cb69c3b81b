"""IBM HR Analytics attrition data (fictional) -> a CSV shaped like `cc.employees`.

Usage: .venv/bin/python datasets/ibm_hr.py SRC.csv OUT.csv
then:  ccpulse load-files OUT.csv --table employees --mapping datasets/ibm_hr.toml

One row per employee, 35 columns, as a snapshot with no dates: `Attrition` says whether the
employee has left, `YearsAtCompany` how long they were (or are) employed. The unified model needs
dates, so the converter places the snapshot on `SNAPSHOT_DAY`, a stand-in:

- hired_at = `SNAPSHOT_DAY` minus `YearsAtCompany` whole years (0 years: hired on that day);
- terminated_at = `SNAPSHOT_DAY` for `Attrition` = Yes, empty otherwise;
- termination_voluntary stays empty: the data does not say.

`EmployeeNumber` becomes both `agent_id` and `employee_id`, `Department` the `skill_group`,
`HourlyRate` the `hourly_cost`. The file starts with a byte-order mark.
"""

from __future__ import annotations

import csv
import sys
from datetime import date
from pathlib import Path

OUTPUT_COLUMNS = (
    "agent_id",
    "employee_id",
    "hired_at",
    "terminated_at",
    "skill_group",
    "hourly_cost",
)
SNAPSHOT_DAY = date(2021, 12, 31)


def hired_on(years_at_company: int) -> date:
    return SNAPSHOT_DAY.replace(year=SNAPSHOT_DAY.year - years_at_company)


def employee(row: dict[str, str]) -> dict[str, str]:
    has_left = row["Attrition"].strip() == "Yes"
    return {
        "agent_id": row["EmployeeNumber"],
        "employee_id": row["EmployeeNumber"],
        "hired_at": f"{hired_on(int(row['YearsAtCompany'])).isoformat()}T00:00:00",
        "terminated_at": f"{SNAPSHOT_DAY.isoformat()}T00:00:00" if has_left else "",
        "skill_group": row["Department"],
        "hourly_cost": row["HourlyRate"],
    }


def convert(source: Path, out: Path) -> int:
    written = 0
    with (
        source.open(newline="", encoding="utf-8-sig") as src,
        out.open("w", newline="", encoding="utf-8") as dst,
    ):
        writer = csv.DictWriter(dst, OUTPUT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in csv.DictReader(src):
            writer.writerow(employee(row))
            written += 1
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    print(f"employees: {convert(Path(argv[0]), Path(argv[1]))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
