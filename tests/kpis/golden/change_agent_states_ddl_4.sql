CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`agent_states_state_mv`
TO `cc`.`agent_states`
AS SELECT
    `agent_id`, `state`, `started_at`, `ended_at`, `skill_group`, `channel`, `source`, `updated_at`, is_deleted, _version, _row_hash
FROM `cc`.`agent_states_changes`
WHERE sign = 1 OR is_deleted = 1
