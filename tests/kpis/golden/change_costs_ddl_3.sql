CREATE TABLE IF NOT EXISTS `cc`.`costs_changes` (
    `period_start` DateTime64(3, 'UTC'),
    `period_end` DateTime64(3, 'UTC'),
    `scope` LowCardinality(String),
    `channel` LowCardinality(String),
    `amount` Float64,
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `sign` Int8,
    `is_deleted` UInt8,
    `_version` UInt64,
    `_row_hash` UInt64
)
ENGINE = Null
