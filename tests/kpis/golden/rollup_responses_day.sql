CREATE TABLE IF NOT EXISTS `cc`.`agg_responses_day` (
    day DateTime('UTC'),
    channel LowCardinality(String),
    skill LowCardinality(String),
    skill_group LowCardinality(String),
    agent LowCardinality(String),
    replies Int64,
    response_s Float64,
    first_replies Int64,
    first_response_s Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, channel, skill, skill_group, agent)
SETTINGS non_replicated_deduplication_window = 10000
