CREATE TABLE IF NOT EXISTS `cc`.`agg_concurrency_hour_without_agent` (
    hour DateTime('UTC'),
    channel LowCardinality(String),
    skill_group LowCardinality(String),
    chat_handle_s Float64,
    chat_busy_s Float64
)
ENGINE = SummingMergeTree
PARTITION BY toDate(hour)
ORDER BY (hour, channel, skill_group)
SETTINGS non_replicated_deduplication_window = 10000
