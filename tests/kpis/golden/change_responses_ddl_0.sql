CREATE TABLE IF NOT EXISTS `cc`.`responses` (
    `response_id` String,
    `contact_id` String,
    `channel` LowCardinality(String),
    `agent_id` String,
    `skill` LowCardinality(Nullable(String)),
    `skill_group` LowCardinality(Nullable(String)),
    `customer_message_at` DateTime64(3, 'UTC'),
    `replied_at` DateTime64(3, 'UTC'),
    `response_s` Float64,
    `is_first_response` UInt8,
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `is_deleted` UInt8,
    `_version` UInt64,
    `_row_hash` UInt64
)
ENGINE = ReplacingMergeTree(_version, is_deleted)
ORDER BY (`response_id`)
SETTINGS non_replicated_deduplication_window = 10000
