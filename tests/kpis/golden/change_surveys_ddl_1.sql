CREATE TABLE IF NOT EXISTS `cc`.`surveys_staging` (
    `response_id` String,
    `kind` LowCardinality(String),
    `score` Float64,
    `scale_min` Float64,
    `scale_max` Float64,
    `contact_id` Nullable(String),
    `customer_id` Nullable(String),
    `agent_id` Nullable(String),
    `channel` LowCardinality(Nullable(String)),
    `skill` LowCardinality(Nullable(String)),
    `skill_group` LowCardinality(Nullable(String)),
    `responded_at` DateTime64(3, 'UTC'),
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `is_deleted` UInt8,
    `_batch` UInt64
)
ENGINE = MergeTree
PARTITION BY _batch
ORDER BY (`response_id`)
