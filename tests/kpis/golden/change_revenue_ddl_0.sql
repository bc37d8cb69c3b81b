CREATE TABLE IF NOT EXISTS `cc`.`revenue` (
    `customer_id` String,
    `occurred_at` DateTime64(3, 'UTC'),
    `amount` Float64,
    `gross_margin` Nullable(Float64),
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `is_deleted` UInt8,
    `_version` UInt64,
    `_row_hash` UInt64
)
ENGINE = ReplacingMergeTree(_version, is_deleted)
ORDER BY (`customer_id`, `occurred_at`)
SETTINGS non_replicated_deduplication_window = 10000
