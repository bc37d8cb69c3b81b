CREATE TABLE IF NOT EXISTS `cc`.`agg_schedules_partition_recompute` (
    hour DateTime('UTC'),
    channel LowCardinality(String),
    skill_group LowCardinality(String),
    agent LowCardinality(String),
    paid_s Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, channel, skill_group, agent)
SETTINGS non_replicated_deduplication_window = 10000
