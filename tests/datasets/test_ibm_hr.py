"""IBM HR attrition file through `ccpulse load-files --table employees`.

The attrition KPI is not in the catalogue yet, so this checks that every employee landed in
`cc.employees` as the documented mapping says: heads, leavers and tenure per department equal
the raw file.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from tests.datasets.conftest import convert, load_command, mapping, new_workspace, published

SOURCE = "ibm-hr-attrition.csv"
PER_DEPARTMENT = (
    "SELECT skill_group, count() AS heads, countIf(terminated_at IS NOT NULL) AS leavers, "
    "sum(dateDiff('year', hired_at, toDateTime64('2021-12-31', 3, 'UTC'))) AS years "
    "FROM cc.employees FINAL WHERE source = 'ibm_hr' GROUP BY skill_group ORDER BY skill_group"
)


def raw_per_department(path: Path) -> dict[str, tuple[int, int, int]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    heads = Counter(row["Department"] for row in rows)
    leavers = Counter(row["Department"] for row in rows if row["Attrition"] == "Yes")
    years: Counter[str] = Counter()
    for row in rows:
        years[row["Department"]] += int(row["YearsAtCompany"])
    return {name: (heads[name], leavers[name], years[name]) for name in heads}


def test_every_employee_lands_in_cc_employees(template_warehouse: Path, tmp_path: Path) -> None:
    source = published(SOURCE)
    convert("ibm_hr", source, tmp_path / "employees.csv")
    workspace = new_workspace(template_warehouse, tmp_path / "run")
    load = load_command(tmp_path / "employees.csv", "employees", mapping("ibm_hr"))
    query = ["sql", PER_DEPARTMENT, "--format", "json"]
    outputs = workspace.run([load, query, load, query])

    landed = {
        row["skill_group"]: (row["heads"], row["leavers"], row["years"])
        for row in json.loads(outputs[1])
    }
    assert landed == raw_per_department(source)
    assert outputs[3] == outputs[1]
