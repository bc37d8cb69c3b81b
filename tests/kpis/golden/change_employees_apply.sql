INSERT INTO `cc`.`employees_changes`
    (`agent_id`, `employee_id`, `email`, `hired_at`, `terminated_at`, `termination_voluntary`, `skill_group`, `primary_channel`, `hourly_cost`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash)
SELECT `agent_id`, `employee_id`, `email`, `hired_at`, `terminated_at`, `termination_voluntary`, `skill_group`, `primary_channel`, `hourly_cost`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash
FROM `cc`.`employees_pending`
WHERE _batch = {batch:UInt64}
ORDER BY `agent_id`, sign
