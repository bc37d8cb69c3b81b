CREATE TABLE IF NOT EXISTS `cc`.`agg_resolutions_hour_without_agent` (
    hour DateTime('UTC'),
    channel LowCardinality(String),
    skill LowCardinality(String),
    skill_group LowCardinality(String),
    derived_known Int64,
    derived_resolved Int64
)
ENGINE = SummingMergeTree
PARTITION BY toDate(hour)
ORDER BY (hour, channel, skill, skill_group)
SETTINGS non_replicated_deduplication_window = 10000
