CREATE TABLE IF NOT EXISTS `cc`.`agent_states` (
    `agent_id` String,
    `state` LowCardinality(String),
    `started_at` DateTime64(3, 'UTC'),
    `ended_at` Nullable(DateTime64(3, 'UTC')),
    `skill_group` LowCardinality(Nullable(String)),
    `channel` LowCardinality(Nullable(String)),
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `is_deleted` UInt8,
    `_version` UInt64,
    `_row_hash` UInt64
)
ENGINE = ReplacingMergeTree(_version, is_deleted)
ORDER BY (`agent_id`, `started_at`)
SETTINGS non_replicated_deduplication_window = 10000
