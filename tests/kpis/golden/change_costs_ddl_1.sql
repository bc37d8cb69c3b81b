CREATE TABLE IF NOT EXISTS `cc`.`costs_staging` (
    `period_start` DateTime64(3, 'UTC'),
    `period_end` DateTime64(3, 'UTC'),
    `scope` LowCardinality(String),
    `channel` LowCardinality(String),
    `amount` Float64,
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `is_deleted` UInt8,
    `_batch` UInt64
)
ENGINE = MergeTree
PARTITION BY _batch
ORDER BY (`period_start`, `scope`, `channel`)
