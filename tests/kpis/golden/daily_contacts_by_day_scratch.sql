CREATE TABLE IF NOT EXISTS `cc`.`contacts_by_day_rebuild` (
    contact_id String,
    leg UInt16,
    channel LowCardinality(String),
    direction LowCardinality(String),
    customer_id Nullable(String),
    agent_id Nullable(String),
    skill LowCardinality(Nullable(String)),
    skill_group LowCardinality(Nullable(String)),
    offered_at DateTime64(3, 'UTC'),
    answered_at Nullable(DateTime64(3, 'UTC')),
    resolved_first_contact Nullable(UInt8),
    sign Int8
)
ENGINE = CollapsingMergeTree(sign)
PARTITION BY toYYYYMM(offered_at)
ORDER BY (toDate(offered_at), contact_id, leg)
SETTINGS non_replicated_deduplication_window = 10000
