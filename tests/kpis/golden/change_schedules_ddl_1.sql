CREATE TABLE IF NOT EXISTS `cc`.`schedules_staging` (
    `agent_id` String,
    `activity` LowCardinality(String),
    `starts_at` DateTime64(3, 'UTC'),
    `ends_at` DateTime64(3, 'UTC'),
    `skill_group` LowCardinality(Nullable(String)),
    `channel` LowCardinality(Nullable(String)),
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `is_deleted` UInt8,
    `_batch` UInt64
)
ENGINE = MergeTree
PARTITION BY _batch
ORDER BY (`agent_id`, `starts_at`)
