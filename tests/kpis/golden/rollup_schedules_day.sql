CREATE TABLE IF NOT EXISTS `cc`.`agg_schedules_day` (
    day DateTime('UTC'),
    channel LowCardinality(String),
    skill_group LowCardinality(String),
    agent LowCardinality(String),
    paid_s Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, channel, skill_group, agent)
SETTINGS non_replicated_deduplication_window = 10000
