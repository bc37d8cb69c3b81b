#!/bin/bash
# Runs once, when the volume is new: the read-only `bi` user, and the writer's profile.
set -euo pipefail

clickhouse client --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" --multiquery <<SQL
ALTER USER ${CLICKHOUSE_USER} SETTINGS PROFILE 'ccpulse_writer';
CREATE DATABASE IF NOT EXISTS kpi;
CREATE USER IF NOT EXISTS bi IDENTIFIED WITH sha256_password BY '${CCPULSE_BI_PASSWORD}'
    SETTINGS PROFILE 'ccpulse_bi';
GRANT SELECT ON kpi.* TO bi;
SQL
