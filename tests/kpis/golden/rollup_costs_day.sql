CREATE TABLE IF NOT EXISTS `cc`.`agg_costs_day` (
    day DateTime('UTC'),
    channel LowCardinality(String),
    service_cost Float64,
    acquisition_cost Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(day)
ORDER BY (day, channel)
SETTINGS non_replicated_deduplication_window = 10000
