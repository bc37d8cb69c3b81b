CREATE TABLE IF NOT EXISTS `cc`.`agg_responses_hour_without_agent` (
    hour DateTime('UTC'),
    channel LowCardinality(String),
    skill LowCardinality(String),
    skill_group LowCardinality(String),
    replies Int64,
    response_s Float64,
    first_replies Int64,
    first_response_s Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, channel, skill, skill_group)
SETTINGS non_replicated_deduplication_window = 10000
