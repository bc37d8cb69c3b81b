CREATE TABLE IF NOT EXISTS `cc`.`agg_adherence` (
    hour DateTime('UTC'),
    channel LowCardinality(String),
    skill_group LowCardinality(String),
    agent LowCardinality(String),
    scheduled_s Float64,
    adherent_s Float64
)
ENGINE = MergeTree
PARTITION BY toDate(hour)
ORDER BY (hour, channel, skill_group, agent)
