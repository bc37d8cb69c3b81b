CREATE TABLE IF NOT EXISTS `cc`.`agg_schedules_hour_without_agent` (
    hour DateTime('UTC'),
    channel LowCardinality(String),
    skill_group LowCardinality(String),
    paid_s Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, channel, skill_group)
SETTINGS non_replicated_deduplication_window = 10000
