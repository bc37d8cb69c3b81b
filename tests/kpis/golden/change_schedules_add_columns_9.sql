CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`schedules_state_mv`
TO `cc`.`schedules`
AS SELECT
    `agent_id`, `activity`, `starts_at`, `ends_at`, `skill_group`, `channel`, `source`, `updated_at`, is_deleted, _version, _row_hash
FROM `cc`.`schedules_changes`
WHERE sign = 1 OR is_deleted = 1
