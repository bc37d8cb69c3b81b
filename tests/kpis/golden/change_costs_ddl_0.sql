CREATE TABLE IF NOT EXISTS `cc`.`costs` (
    `period_start` DateTime64(3, 'UTC'),
    `period_end` DateTime64(3, 'UTC'),
    `scope` LowCardinality(String),
    `channel` LowCardinality(String),
    `amount` Float64,
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `is_deleted` UInt8,
    `_version` UInt64,
    `_row_hash` UInt64
)
ENGINE = ReplacingMergeTree(_version, is_deleted)
ORDER BY (`period_start`, `scope`, `channel`)
SETTINGS non_replicated_deduplication_window = 10000
