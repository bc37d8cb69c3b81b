CREATE TABLE IF NOT EXISTS `cc`.`contacts` (
    `contact_id` String,
    `leg` UInt16,
    `channel` LowCardinality(String),
    `direction` LowCardinality(String),
    `customer_id` Nullable(String),
    `agent_id` Nullable(String),
    `skill` LowCardinality(Nullable(String)),
    `skill_group` LowCardinality(Nullable(String)),
    `reason` LowCardinality(Nullable(String)),
    `offered_at` DateTime64(3, 'UTC'),
    `answered_at` Nullable(DateTime64(3, 'UTC')),
    `ended_at` Nullable(DateTime64(3, 'UTC')),
    `wait_s` Float64,
    `talk_s` Float64,
    `hold_s` Float64,
    `acw_s` Float64,
    `abandoned` UInt8,
    `transferred` UInt8,
    `escalated` UInt8,
    `resolved_first_contact` Nullable(UInt8),
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `is_deleted` UInt8,
    `_version` UInt64,
    `_row_hash` UInt64
)
ENGINE = ReplacingMergeTree(_version, is_deleted)
ORDER BY (`contact_id`, `leg`)
SETTINGS non_replicated_deduplication_window = 10000
