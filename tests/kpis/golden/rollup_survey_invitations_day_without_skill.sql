CREATE TABLE IF NOT EXISTS `cc`.`agg_survey_invitations_day_without_skill` (
    day DateTime('UTC'),
    channel LowCardinality(String),
    skill_group LowCardinality(String),
    agent LowCardinality(String),
    surveys_sent Int64,
    surveys_answered Int64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, channel, skill_group, agent)
SETTINGS non_replicated_deduplication_window = 10000
