CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`employees_state_mv`
TO `cc`.`employees`
AS SELECT
    `agent_id`, `employee_id`, `email`, `hired_at`, `terminated_at`, `termination_voluntary`, `skill_group`, `primary_channel`, `hourly_cost`, `source`, `updated_at`, is_deleted, _version, _row_hash
FROM `cc`.`employees_changes`
WHERE sign = 1 OR is_deleted = 1
