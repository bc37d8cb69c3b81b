CREATE TABLE IF NOT EXISTS `cc`.`agg_survey_invitations_day` (
    day DateTime('UTC'),
    channel LowCardinality(String),
    skill LowCardinality(String),
    skill_group LowCardinality(String),
    agent LowCardinality(String),
    surveys_sent Int64,
    surveys_answered Int64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, channel, skill, skill_group, agent)
SETTINGS non_replicated_deduplication_window = 10000
