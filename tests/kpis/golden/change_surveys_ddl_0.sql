CREATE TABLE IF NOT EXISTS `cc`.`surveys` (
    `response_id` String,
    `kind` LowCardinality(String),
    `score` Float64,
    `scale_min` Float64,
    `scale_max` Float64,
    `contact_id` Nullable(String),
    `customer_id` Nullable(String),
    `agent_id` Nullable(String),
    `channel` LowCardinality(Nullable(String)),
    `skill` LowCardinality(Nullable(String)),
    `skill_group` LowCardinality(Nullable(String)),
    `responded_at` DateTime64(3, 'UTC'),
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `is_deleted` UInt8,
    `_version` UInt64,
    `_row_hash` UInt64
)
ENGINE = ReplacingMergeTree(_version, is_deleted)
ORDER BY (`response_id`)
SETTINGS non_replicated_deduplication_window = 10000
