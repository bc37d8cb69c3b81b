CREATE TABLE IF NOT EXISTS `cc`.`agg_labour_day_without_agent` (
    day DateTime('UTC'),
    channel LowCardinality(String),
    skill_group LowCardinality(String),
    labour_cost Float64
)
ENGINE = SummingMergeTree
PARTITION BY toDate(day)
ORDER BY (day, channel, skill_group)
SETTINGS non_replicated_deduplication_window = 10000
