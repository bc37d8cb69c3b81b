CREATE TABLE IF NOT EXISTS `cc`.`agg_schedules_day_without_agent` (
    day DateTime('UTC'),
    channel LowCardinality(String),
    skill_group LowCardinality(String),
    paid_s Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, channel, skill_group)
SETTINGS non_replicated_deduplication_window = 10000
