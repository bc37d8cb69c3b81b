CREATE TABLE IF NOT EXISTS `cc`.`agg_survey_invitations_hour_without_agent` (
    hour DateTime('UTC'),
    channel LowCardinality(String),
    skill LowCardinality(String),
    skill_group LowCardinality(String),
    surveys_sent Int64,
    surveys_answered Int64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, channel, skill, skill_group)
SETTINGS non_replicated_deduplication_window = 10000
