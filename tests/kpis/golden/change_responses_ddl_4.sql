CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`responses_state_mv`
TO `cc`.`responses`
AS SELECT
    `response_id`, `contact_id`, `channel`, `agent_id`, `skill`, `skill_group`, `customer_message_at`, `replied_at`, `response_s`, `is_first_response`, `source`, `updated_at`, is_deleted, _version, _row_hash
FROM `cc`.`responses_changes`
WHERE sign = 1 OR is_deleted = 1
