CREATE TABLE IF NOT EXISTS `cc`.`agg_resolutions` (
    hour DateTime('UTC'),
    channel LowCardinality(String),
    skill LowCardinality(String),
    skill_group LowCardinality(String),
    agent LowCardinality(String),
    derived_known Int64,
    derived_resolved Int64
)
ENGINE = MergeTree
PARTITION BY toDate(hour)
ORDER BY (hour, channel, skill, skill_group, agent)
