CREATE TABLE IF NOT EXISTS `cc`.`survey_invitations_changes` (
    `invitation_id` String,
    `kind` LowCardinality(String),
    `contact_id` Nullable(String),
    `customer_id` Nullable(String),
    `agent_id` Nullable(String),
    `channel` LowCardinality(Nullable(String)),
    `skill` LowCardinality(Nullable(String)),
    `skill_group` LowCardinality(Nullable(String)),
    `sent_at` DateTime64(3, 'UTC'),
    `responded_at` Nullable(DateTime64(3, 'UTC')),
    `source` LowCardinality(String),
    `updated_at` DateTime64(3, 'UTC'),
    `sign` Int8,
    `is_deleted` UInt8,
    `_version` UInt64,
    `_row_hash` UInt64
)
ENGINE = Null
