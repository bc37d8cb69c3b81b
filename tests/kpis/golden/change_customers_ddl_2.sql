CREATE TABLE IF NOT EXISTS `cc`.`customers_pending` (
    `customer_id` String,
    `acquired_at` Nullable(DateTime64(3, 'UTC')),
    `acquisition_channel` LowCardinality(Nullable(String)),
    `churned_at` Nullable(DateTime64(3, 'UTC')),
    `segment` LowCardinality(Nullable(String)),
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
ORDER BY (`customer_id`, sign)
