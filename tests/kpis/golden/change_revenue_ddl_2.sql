CREATE TABLE IF NOT EXISTS `cc`.`revenue_pending` (
    `customer_id` String,
    `occurred_at` DateTime64(3, 'UTC'),
    `amount` Float64,
    `gross_margin` Nullable(Float64),
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
ORDER BY (`customer_id`, `occurred_at`, sign)
