CREATE TABLE IF NOT EXISTS `cc`.`customers` (
    `customer_id` String,
    `acquired_at` Nullable(DateTime64(3, 'UTC')),
    `acquisition_channel` LowCardinality(Nullable(String)),
    `churned_at` Nullable(DateTime64(3, 'UTC')),
    `segment` LowCardinality(Nullable(String)),
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `is_deleted` UInt8,
    `_version` UInt64,
    `_row_hash` UInt64
)
ENGINE = ReplacingMergeTree(_version, is_deleted)
ORDER BY (`customer_id`)
SETTINGS non_replicated_deduplication_window = 10000
