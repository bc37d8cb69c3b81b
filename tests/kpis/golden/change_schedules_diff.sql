INSERT INTO `cc`.`schedules_pending`
    (`agent_id`, `activity`, `starts_at`, `ends_at`, `skill_group`, `channel`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash, _batch)
WITH
    incoming AS (
        SELECT `agent_id`, `activity`, `starts_at`, `ends_at`, `skill_group`, `channel`, `source`, `updated_at`, is_deleted,
            cityHash64(tuple(`agent_id`, `activity`, `starts_at`, `ends_at`, `skill_group`, `channel`, `source`, is_deleted)) AS _row_hash
        FROM `cc`.`schedules_staging`
        WHERE _batch = {batch:UInt64}
        ORDER BY `agent_id`, `starts_at`, updated_at DESC, is_deleted DESC, _row_hash
        LIMIT 1 BY `agent_id`, `starts_at`
    ),
    stored AS (
        SELECT `agent_id`, `activity`, `starts_at`, `ends_at`, `skill_group`, `channel`, `source`, `updated_at`,
            cityHash64(tuple(`agent_id`, `activity`, `starts_at`, `ends_at`, `skill_group`, `channel`, `source`, is_deleted)) AS _row_hash, _version
        FROM `cc`.`schedules` FINAL
        WHERE (`agent_id`, `starts_at`) IN (SELECT `agent_id`, `starts_at` FROM incoming)
    ),
    compared AS (
        SELECT `agent_id`, `starts_at`, incoming.`activity` AS `activity`, incoming.`ends_at` AS `ends_at`, incoming.`skill_group` AS `skill_group`, incoming.`channel` AS `channel`, incoming.`source` AS `source`, incoming.`updated_at` AS `updated_at`, stored.`activity` AS `old_activity`, stored.`ends_at` AS `old_ends_at`, stored.`skill_group` AS `old_skill_group`, stored.`channel` AS `old_channel`, stored.`source` AS `old_source`, stored.`updated_at` AS `old_updated_at`,
            incoming.is_deleted AS incoming_deleted,
            incoming._row_hash AS new_hash,
            stored._row_hash AS old_hash,
            stored._version > 0 AS is_stored
        FROM incoming
        LEFT JOIN stored USING (`agent_id`, `starts_at`)
    )
SELECT `agent_id`, `old_activity`, `starts_at`, `old_ends_at`, `old_skill_group`, `old_channel`, `old_source`, `old_updated_at`,
    -1, incoming_deleted, {batch:UInt64}, old_hash, {batch:UInt64}
FROM compared
WHERE is_stored AND (new_hash != old_hash AND `updated_at` >= `old_updated_at`)
UNION ALL
SELECT `agent_id`, `activity`, `starts_at`, `ends_at`, `skill_group`, `channel`, `source`, `updated_at`, 1, 0, {batch:UInt64}, new_hash, {batch:UInt64}
FROM compared
WHERE NOT incoming_deleted AND (NOT is_stored OR (new_hash != old_hash AND `updated_at` >= `old_updated_at`))
SETTINGS join_use_nulls = 0
