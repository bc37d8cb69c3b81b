CREATE TABLE IF NOT EXISTS `cc`.`agg_contacts_day_without_skill` (
    day DateTime('UTC'),
    channel LowCardinality(String),
    skill_group LowCardinality(String),
    agent LowCardinality(String),
    offered Int64,
    abandoned Int64,
    abandoned_short Int64,
    abandon_wait_s Float64,
    answered_of_offered Int64,
    answered_in_threshold Int64,
    answered Int64,
    answer_wait_s Float64,
    handled Int64,
    talk_s Float64,
    hold_s Float64,
    acw_s Float64,
    held Int64,
    transferred Int64,
    escalated Int64,
    fcr_known Int64,
    fcr_resolved Int64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, channel, skill_group, agent)
SETTINGS non_replicated_deduplication_window = 10000
