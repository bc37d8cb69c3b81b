INSERT INTO `cc`.`schedules_changes`
    (`agent_id`, `activity`, `starts_at`, `ends_at`, `skill_group`, `channel`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash)
SELECT `agent_id`, `activity`, `starts_at`, `ends_at`, `skill_group`, `channel`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash
FROM `cc`.`schedules_pending`
WHERE _batch = {batch:UInt64}
ORDER BY `agent_id`, `starts_at`, sign
