INSERT INTO `cc`.`agent_states_pending`
    (`agent_id`, `state`, `started_at`, `ended_at`, `skill_group`, `channel`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash, _batch)
WITH
    incoming AS (
        SELECT `agent_id`, `state`, `started_at`, `ended_at`, `skill_group`, `channel`, `source`, `updated_at`, is_deleted,
            cityHash64(tuple(`agent_id`, `state`, `started_at`, `ended_at`, `skill_group`, `channel`, `source`, is_deleted)) AS _row_hash
        FROM `cc`.`agent_states_staging`
        WHERE _batch = {batch:UInt64}
        ORDER BY `agent_id`, `started_at`, updated_at DESC, is_deleted DESC, _row_hash
        LIMIT 1 BY `agent_id`, `started_at`
    ),
    stored AS (
        SELECT `agent_id`, `state`, `started_at`, `ended_at`, `skill_group`, `channel`, `source`, `updated_at`,
            cityHash64(tuple(`agent_id`, `state`, `started_at`, `ended_at`, `skill_group`, `channel`, `source`, is_deleted)) AS _row_hash, _version
        FROM `cc`.`agent_states` FINAL
        WHERE (`agent_id`, `started_at`) IN (SELECT `agent_id`, `started_at` FROM incoming)
    ),
    compared AS (
        SELECT `agent_id`, `started_at`, incoming.`state` AS `state`, incoming.`ended_at` AS `ended_at`, incoming.`skill_group` AS `skill_group`, incoming.`channel` AS `channel`, incoming.`source` AS `source`, incoming.`updated_at` AS `updated_at`, stored.`state` AS `old_state`, stored.`ended_at` AS `old_ended_at`, stored.`skill_group` AS `old_skill_group`, stored.`channel` AS `old_channel`, stored.`source` AS `old_source`, stored.`updated_at` AS `old_updated_at`,
            incoming.is_deleted AS incoming_deleted,
            incoming._row_hash AS new_hash,
            stored._row_hash AS old_hash,
            stored._version > 0 AS is_stored
        FROM incoming
        LEFT JOIN stored USING (`agent_id`, `started_at`)
    )
SELECT `agent_id`, `old_state`, `started_at`, `old_ended_at`, `old_skill_group`, `old_channel`, `old_source`, `old_updated_at`,
    -1, incoming_deleted, {batch:UInt64}, old_hash, {batch:UInt64}
FROM compared
WHERE is_stored AND (new_hash != old_hash AND `updated_at` >= `old_updated_at`)
UNION ALL
SELECT `agent_id`, `state`, `started_at`, `ended_at`, `skill_group`, `channel`, `source`, `updated_at`, 1, 0, {batch:UInt64}, new_hash, {batch:UInt64}
FROM compared
WHERE NOT incoming_deleted AND (NOT is_stored OR (new_hash != old_hash AND `updated_at` >= `old_updated_at`))
SETTINGS join_use_nulls = 0
