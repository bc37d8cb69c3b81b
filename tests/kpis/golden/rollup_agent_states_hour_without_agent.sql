CREATE TABLE IF NOT EXISTS `cc`.`agg_agent_states_hour_without_agent` (
    hour DateTime('UTC'),
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
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, channel, skill_group)
SETTINGS non_replicated_deduplication_window = 10000
