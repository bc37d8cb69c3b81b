CREATE TABLE IF NOT EXISTS `cc`.`agg_agent_states_day_without_agent` (
    day DateTime('UTC'),
    channel LowCardinality(String),
    skill_group LowCardinality(String),
    available_s Float64,
    on_contact_s Float64,
    acw_s Float64,
    training_s Float64,
    meeting_s Float64,
    break_s Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, channel, skill_group)
SETTINGS non_replicated_deduplication_window = 10000
