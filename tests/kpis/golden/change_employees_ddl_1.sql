CREATE TABLE IF NOT EXISTS `cc`.`employees_staging` (
    `agent_id` String,
    `employee_id` Nullable(String),
    `email` Nullable(String),
    `hired_at` DateTime64(3, 'UTC'),
    `terminated_at` Nullable(DateTime64(3, 'UTC')),
    `termination_voluntary` Nullable(UInt8),
    `skill_group` LowCardinality(Nullable(String)),
    `primary_channel` LowCardinality(Nullable(String)),
    `hourly_cost` Nullable(Float64),
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `is_deleted` UInt8,
    `_batch` UInt64
)
ENGINE = MergeTree
PARTITION BY _batch
ORDER BY (`agent_id`)
