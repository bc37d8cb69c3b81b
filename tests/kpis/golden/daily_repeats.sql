CREATE TABLE IF NOT EXISTS `cc`.`agg_repeats` (
    hour DateTime('UTC'),
    channel LowCardinality(String),
    skill LowCardinality(String),
    skill_group LowCardinality(String),
    agent LowCardinality(String),
    inbound_contacts Int64,
    repeat_contacts Int64
)
ENGINE = MergeTree
PARTITION BY toDate(hour)
ORDER BY (hour, channel, skill, skill_group, agent)
