CREATE TABLE IF NOT EXISTS `cc`.`agg_repeats_day_without_agent` (
    day DateTime('UTC'),
    channel LowCardinality(String),
    skill LowCardinality(String),
    skill_group LowCardinality(String),
    inbound_contacts Int64,
    repeat_contacts Int64
)
ENGINE = SummingMergeTree
PARTITION BY toDate(day)
ORDER BY (day, channel, skill, skill_group)
SETTINGS non_replicated_deduplication_window = 10000
