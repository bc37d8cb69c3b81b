"""IBM HR attrition file through `ccpulse load-files --table employees`.

Every employee lands in `cc.employees` as the documented mapping says (heads, leavers and tenure
per department equal the raw file), and employee attrition on the snapshot day equals the file's
leavers over its heads, per department and overall.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from tests.datasets.conftest import (
    assert_same_kpi,
    convert,
    kpi_command,
    load_command,
    mapping,
    new_workspace,
    published,
)

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


def test_attrition_on_the_snapshot_day_equals_the_file(
    template_warehouse: Path, tmp_path: Path
) -> None:
    # Every employee is on the books on the snapshot day (hired on or before it), and the leavers
    # leave that day: attrition is leavers over heads.
    source = published(SOURCE)
    convert("ibm_hr", source, tmp_path / "employees.csv")
    workspace = new_workspace(template_warehouse, tmp_path / "run")
    day = ("2021-12-31", "2021-12-31")
    outputs = workspace.run(
        [
            load_command(tmp_path / "employees.csv", "employees", mapping("ibm_hr")),
            kpi_command("employee_attrition_rate", ("skill_group",), "day", day),
            kpi_command("employee_attrition_rate", (), "day", day),
        ]
    )
    per_department = raw_per_department(source)
    by_department = {
        ("2021-12-31", name): (float(leavers), float(heads))
        for name, (heads, leavers, _) in per_department.items()
    }
    assert_same_kpi("employee_attrition_rate", outputs[1], ("skill_group",), by_department)
    heads = sum(figures[0] for figures in per_department.values())
    leavers = sum(figures[1] for figures in per_department.values())
    assert (heads, leavers) == (1470, 237)
    overall = {("2021-12-31",): (float(leavers), float(heads))}
    assert_same_kpi("employee_attrition_rate", outputs[2], (), overall)
