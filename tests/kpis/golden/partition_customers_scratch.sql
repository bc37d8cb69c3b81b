CREATE TABLE IF NOT EXISTS `cc`.`agg_customers_partition_recompute` (
    hour DateTime('UTC'),
    channel LowCardinality(String),
    acquired Int64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, channel)
SETTINGS non_replicated_deduplication_window = 10000
