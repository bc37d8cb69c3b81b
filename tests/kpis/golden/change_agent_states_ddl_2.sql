CREATE TABLE IF NOT EXISTS `cc`.`agent_states_pending` (
    `agent_id` String,
    `state` LowCardinality(String),
    `started_at` DateTime64(3, 'UTC'),
    `ended_at` Nullable(DateTime64(3, 'UTC')),
    `skill_group` LowCardinality(Nullable(String)),
    `channel` LowCardinality(Nullable(String)),
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `sign` Int8,
    `is_deleted` UInt8,
    `_version` UInt64,
    `_row_hash` UInt64,
    `_batch` UInt64
)
ENGINE = MergeTree
PARTITION BY _batch
ORDER BY (`agent_id`, `started_at`, sign)
