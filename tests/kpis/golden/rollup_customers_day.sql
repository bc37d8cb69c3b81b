CREATE TABLE IF NOT EXISTS `cc`.`agg_customers_day` (
    day DateTime('UTC'),
    channel LowCardinality(String),
    acquired Int64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, channel)
SETTINGS non_replicated_deduplication_window = 10000
