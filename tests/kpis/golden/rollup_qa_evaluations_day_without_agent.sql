CREATE TABLE IF NOT EXISTS `cc`.`agg_qa_evaluations_day_without_agent` (
    day DateTime('UTC'),
    channel LowCardinality(String),
    skill LowCardinality(String),
    skill_group LowCardinality(String),
    evaluations Int64,
    score_pct Float64,
    voice_evaluations Int64,
    voice_score_pct Float64,
    other_evaluations Int64,
    other_score_pct Float64,
    script_items_required Float64,
    script_items_met Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, channel, skill, skill_group)
SETTINGS non_replicated_deduplication_window = 10000
