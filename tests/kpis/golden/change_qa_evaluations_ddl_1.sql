CREATE TABLE IF NOT EXISTS `cc`.`qa_evaluations_staging` (
    `evaluation_id` String,
    `contact_id` Nullable(String),
    `agent_id` String,
    `channel` LowCardinality(Nullable(String)),
    `skill` LowCardinality(Nullable(String)),
    `score_pct` Float64,
    `script_items_required` UInt16,
    `script_items_met` UInt16,
    `is_calibration` UInt8,
    `evaluated_at` DateTime64(3, 'UTC'),
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `is_deleted` UInt8,
    `_batch` UInt64
)
ENGINE = MergeTree
PARTITION BY _batch
ORDER BY (`evaluation_id`)
