CREATE TABLE IF NOT EXISTS `cc`.`agg_concurrency_recompute` (
    hour DateTime('UTC'),
    channel LowCardinality(String),
    skill_group LowCardinality(String),
    agent LowCardinality(String),
    chat_handle_s Float64,
    chat_busy_s Float64
)
ENGINE = MergeTree
PARTITION BY toDate(hour)
ORDER BY (hour, channel, skill_group, agent)
