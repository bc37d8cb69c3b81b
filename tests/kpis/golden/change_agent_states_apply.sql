INSERT INTO `cc`.`agent_states_changes`
    (`agent_id`, `state`, `started_at`, `ended_at`, `skill_group`, `channel`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash)
SELECT `agent_id`, `state`, `started_at`, `ended_at`, `skill_group`, `channel`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash
FROM `cc`.`agent_states_pending`
WHERE _batch = {batch:UInt64}
ORDER BY `agent_id`, `started_at`, sign
