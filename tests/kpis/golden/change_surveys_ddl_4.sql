CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`surveys_state_mv`
TO `cc`.`surveys`
AS SELECT
    `response_id`, `kind`, `score`, `scale_min`, `scale_max`, `contact_id`, `customer_id`, `agent_id`, `channel`, `skill`, `skill_group`, `responded_at`, `source`, `updated_at`, is_deleted, _version, _row_hash
FROM `cc`.`surveys_changes`
WHERE sign = 1 OR is_deleted = 1
