CREATE TABLE IF NOT EXISTS `cc`.`agg_surveys_hour_without_agent` (
    hour DateTime('UTC'),
    channel LowCardinality(String),
    skill LowCardinality(String),
    skill_group LowCardinality(String),
    csat_valid Int64,
    csat_top_two Int64,
    csat_scored Int64,
    csat_score Float64,
    nps_valid Int64,
    nps_promoters Int64,
    nps_detractors Int64,
    ces_valid Int64,
    ces_agree Int64,
    ces_score Float64,
    esat_valid Int64,
    esat_favourable Int64,
    engagement_valid Int64,
    engagement_pct Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(hour)
ORDER BY (hour, channel, skill, skill_group)
SETTINGS non_replicated_deduplication_window = 10000
