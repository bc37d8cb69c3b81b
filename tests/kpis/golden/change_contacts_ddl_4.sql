CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`contacts_state_mv`
TO `cc`.`contacts`
AS SELECT
    `contact_id`, `leg`, `channel`, `direction`, `customer_id`, `agent_id`, `skill`, `skill_group`, `reason`, `offered_at`, `answered_at`, `ended_at`, `wait_s`, `talk_s`, `hold_s`, `acw_s`, `abandoned`, `transferred`, `escalated`, `resolved_first_contact`, `source`, `updated_at`, is_deleted, _version, _row_hash
FROM `cc`.`contacts_changes`
WHERE sign = 1 OR is_deleted = 1
