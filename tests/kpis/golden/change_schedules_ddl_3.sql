CREATE TABLE IF NOT EXISTS `cc`.`schedules_changes` (
    `agent_id` String,
    `activity` LowCardinality(String),
    `starts_at` DateTime64(3, 'UTC'),
    `ends_at` DateTime64(3, 'UTC'),
    `skill_group` LowCardinality(Nullable(String)),
    `channel` LowCardinality(Nullable(String)),
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `sign` Int8,
    `is_deleted` UInt8,
    `_version` UInt64,
    `_row_hash` UInt64
)
ENGINE = Null
