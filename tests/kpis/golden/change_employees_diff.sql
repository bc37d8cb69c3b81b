INSERT INTO `cc`.`employees_pending`
    (`agent_id`, `employee_id`, `email`, `hired_at`, `terminated_at`, `termination_voluntary`, `skill_group`, `primary_channel`, `hourly_cost`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash, _batch)
WITH
    incoming AS (
        SELECT `agent_id`, `employee_id`, `email`, `hired_at`, `terminated_at`, `termination_voluntary`, `skill_group`, `primary_channel`, `hourly_cost`, `source`, `updated_at`, is_deleted,
            cityHash64(tuple(`agent_id`, `employee_id`, `email`, `hired_at`, `terminated_at`, `termination_voluntary`, `skill_group`, `primary_channel`, `hourly_cost`, `source`, is_deleted)) AS _row_hash
        FROM `cc`.`employees_staging`
        WHERE _batch = {batch:UInt64}
        ORDER BY `agent_id`, updated_at DESC, is_deleted DESC, _row_hash
        LIMIT 1 BY `agent_id`
    ),
    stored AS (
        SELECT `agent_id`, `employee_id`, `email`, `hired_at`, `terminated_at`, `termination_voluntary`, `skill_group`, `primary_channel`, `hourly_cost`, `source`, `updated_at`,
            cityHash64(tuple(`agent_id`, `employee_id`, `email`, `hired_at`, `terminated_at`, `termination_voluntary`, `skill_group`, `primary_channel`, `hourly_cost`, `source`, is_deleted)) AS _row_hash, _version
        FROM `cc`.`employees` FINAL
        WHERE (`agent_id`) IN (SELECT `agent_id` FROM incoming)
    ),
    compared AS (
        SELECT `agent_id`, incoming.`employee_id` AS `employee_id`, incoming.`email` AS `email`, incoming.`hired_at` AS `hired_at`, incoming.`terminated_at` AS `terminated_at`, incoming.`termination_voluntary` AS `termination_voluntary`, incoming.`skill_group` AS `skill_group`, incoming.`primary_channel` AS `primary_channel`, incoming.`hourly_cost` AS `hourly_cost`, incoming.`source` AS `source`, incoming.`updated_at` AS `updated_at`, stored.`employee_id` AS `old_employee_id`, stored.`email` AS `old_email`, stored.`hired_at` AS `old_hired_at`, stored.`terminated_at` AS `old_terminated_at`, stored.`termination_voluntary` AS `old_termination_voluntary`, stored.`skill_group` AS `old_skill_group`, stored.`primary_channel` AS `old_primary_channel`, stored.`hourly_cost` AS `old_hourly_cost`, stored.`source` AS `old_source`, stored.`updated_at` AS `old_updated_at`,
            incoming.is_deleted AS incoming_deleted,
            incoming._row_hash AS new_hash,
            stored._row_hash AS old_hash,
            stored._version > 0 AS is_stored
        FROM incoming
        LEFT JOIN stored USING (`agent_id`)
    )
SELECT `agent_id`, `old_employee_id`, `old_email`, `old_hired_at`, `old_terminated_at`, `old_termination_voluntary`, `old_skill_group`, `old_primary_channel`, `old_hourly_cost`, `old_source`, `old_updated_at`,
    -1, incoming_deleted, {batch:UInt64}, old_hash, {batch:UInt64}
FROM compared
WHERE is_stored AND (new_hash != old_hash AND `updated_at` >= `old_updated_at`)
UNION ALL
SELECT `agent_id`, `employee_id`, `email`, `hired_at`, `terminated_at`, `termination_voluntary`, `skill_group`, `primary_channel`, `hourly_cost`, `source`, `updated_at`, 1, 0, {batch:UInt64}, new_hash, {batch:UInt64}
FROM compared
WHERE NOT incoming_deleted AND (NOT is_stored OR (new_hash != old_hash AND `updated_at` >= `old_updated_at`))
SETTINGS join_use_nulls = 0
