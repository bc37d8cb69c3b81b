CREATE TABLE IF NOT EXISTS `cc`.`agg_labour_day` (
    day DateTime('UTC'),
    channel LowCardinality(String),
    skill_group LowCardinality(String),
    agent LowCardinality(String),
    labour_cost Float64
)
ENGINE = SummingMergeTree
PARTITION BY toDate(day)
ORDER BY (day, channel, skill_group, agent)
SETTINGS non_replicated_deduplication_window = 10000
