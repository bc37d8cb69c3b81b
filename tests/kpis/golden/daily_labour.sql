CREATE TABLE IF NOT EXISTS `cc`.`agg_labour` (
    hour DateTime('UTC'),
    channel LowCardinality(String),
    skill_group LowCardinality(String),
    agent LowCardinality(String),
    labour_cost Float64
)
ENGINE = MergeTree
PARTITION BY toDate(hour)
ORDER BY (hour, channel, skill_group, agent)
