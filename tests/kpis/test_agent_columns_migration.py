"""Migration 4: a warehouse created before agent states and schedules had `skill_group` and
`channel` gains them, laid out as a new warehouse lays them out, and new rows carry them.

It needs a warehouse of its own (chDB holds one folder per process), so it runs in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import datetime as dt
import json
import sys

import pyarrow as pa

from ccpulse.changes import apply_batch
from ccpulse.schema import MIGRATIONS, apply_migrations
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import open_warehouse

def layout(warehouse, database, table):
    rows = warehouse.rows(
        "SELECT name, type FROM system.columns WHERE database = {d:String} AND table = {t:String} "
        "ORDER BY position",
        {"d": database, "t": table},
    )
    return [list(row) for row in rows]

old = open_warehouse(WarehouseSettings.from_url("chdb://" + sys.argv[1]))
apply_migrations(old, [m for m in MIGRATIONS if m.version < 4])
# A row stored before the migration (this code's batches already expect the new columns).
old.command(
    "INSERT INTO cc.agent_states "
    "(agent_id, state, started_at, ended_at, source, updated_at, is_deleted, _version, _row_hash) "
    "VALUES ('a1', 'available', '2026-03-02 09:00:00', '2026-03-02 09:05:00', 'test', "
    "'2026-03-02 09:00:00', 0, 1, 1)"
)
apply_migrations(old)
at = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
after = pa.Table.from_pylist([{
    "agent_id": "a1", "state": "available", "started_at": at + dt.timedelta(minutes=5),
    "ended_at": None, "skill_group": "Digital", "channel": "chat", "source": "test",
    "updated_at": at,
}])
apply_batch(old, "agent_states", after)
result = {
    "rows": [list(map(str, row)) for row in old.rows(
        "SELECT state, skill_group, channel FROM cc.agent_states FINAL ORDER BY started_at"
    )],
    "layouts": {
        name: layout(old, "cc", name)
        for name in ("agent_states", "agent_states_staging", "agent_states_pending",
                     "agent_states_changes", "schedules", "schedules_changes")
    },
}
print(json.dumps(result))
"""

FRESH = """
import json
import sys

from ccpulse.schema import apply_migrations
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import open_warehouse

fresh = open_warehouse(WarehouseSettings.from_url("chdb://" + sys.argv[1]))
apply_migrations(fresh)
layouts = {}
for name in ("agent_states", "agent_states_staging", "agent_states_pending",
             "agent_states_changes", "schedules", "schedules_changes"):
    rows = fresh.rows(
        "SELECT name, type FROM system.columns WHERE database = 'cc' AND table = {t:String} "
        "ORDER BY position",
        {"t": name},
    )
    layouts[name] = [list(row) for row in rows]
print(json.dumps({"layouts": layouts}))
"""


def _run(script: str, folder: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


def test_an_old_warehouse_gains_the_agent_columns(tmp_path: Path) -> None:
    migrated = _run(SCRIPT, tmp_path / "old")
    fresh = _run(FRESH, tmp_path / "fresh")

    assert migrated["layouts"] == fresh["layouts"]
    assert migrated["rows"] == [
        ["available", "None", "None"],
        ["available", "Digital", "chat"],
    ]
