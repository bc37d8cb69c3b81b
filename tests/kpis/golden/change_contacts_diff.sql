INSERT INTO `cc`.`contacts_pending`
    (`contact_id`, `leg`, `channel`, `direction`, `customer_id`, `agent_id`, `skill`, `skill_group`, `reason`, `offered_at`, `answered_at`, `ended_at`, `wait_s`, `talk_s`, `hold_s`, `acw_s`, `abandoned`, `transferred`, `escalated`, `resolved_first_contact`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash, _batch)
WITH
    incoming AS (
        SELECT `contact_id`, `leg`, `channel`, `direction`, `customer_id`, `agent_id`, `skill`, `skill_group`, `reason`, `offered_at`, `answered_at`, `ended_at`, `wait_s`, `talk_s`, `hold_s`, `acw_s`, `abandoned`, `transferred`, `escalated`, `resolved_first_contact`, `source`, `updated_at`, is_deleted,
            cityHash64(tuple(`contact_id`, `leg`, `channel`, `direction`, `customer_id`, `agent_id`, `skill`, `skill_group`, `reason`, `offered_at`, `answered_at`, `ended_at`, `wait_s`, `talk_s`, `hold_s`, `acw_s`, `abandoned`, `transferred`, `escalated`, `resolved_first_contact`, `source`, is_deleted)) AS _row_hash
        FROM `cc`.`contacts_staging`
        WHERE _batch = {batch:UInt64}
        ORDER BY `contact_id`, `leg`, updated_at DESC, is_deleted DESC, _row_hash
        LIMIT 1 BY `contact_id`, `leg`
    ),
    stored AS (
        SELECT `contact_id`, `leg`, `channel`, `direction`, `customer_id`, `agent_id`, `skill`, `skill_group`, `reason`, `offered_at`, `answered_at`, `ended_at`, `wait_s`, `talk_s`, `hold_s`, `acw_s`, `abandoned`, `transferred`, `escalated`, `resolved_first_contact`, `source`, `updated_at`,
            cityHash64(tuple(`contact_id`, `leg`, `channel`, `direction`, `customer_id`, `agent_id`, `skill`, `skill_group`, `reason`, `offered_at`, `answered_at`, `ended_at`, `wait_s`, `talk_s`, `hold_s`, `acw_s`, `abandoned`, `transferred`, `escalated`, `resolved_first_contact`, `source`, is_deleted)) AS _row_hash, _version
        FROM `cc`.`contacts` FINAL
        WHERE (`contact_id`, `leg`) IN (SELECT `contact_id`, `leg` FROM incoming)
    ),
    compared AS (
        SELECT `contact_id`, `leg`, incoming.`channel` AS `channel`, incoming.`direction` AS `direction`, incoming.`customer_id` AS `customer_id`, incoming.`agent_id` AS `agent_id`, incoming.`skill` AS `skill`, incoming.`skill_group` AS `skill_group`, incoming.`reason` AS `reason`, incoming.`offered_at` AS `offered_at`, incoming.`answered_at` AS `answered_at`, incoming.`ended_at` AS `ended_at`, incoming.`wait_s` AS `wait_s`, incoming.`talk_s` AS `talk_s`, incoming.`hold_s` AS `hold_s`, incoming.`acw_s` AS `acw_s`, incoming.`abandoned` AS `abandoned`, incoming.`transferred` AS `transferred`, incoming.`escalated` AS `escalated`, incoming.`resolved_first_contact` AS `resolved_first_contact`, incoming.`source` AS `source`, incoming.`updated_at` AS `updated_at`, stored.`channel` AS `old_channel`, stored.`direction` AS `old_direction`, stored.`customer_id` AS `old_customer_id`, stored.`agent_id` AS `old_agent_id`, stored.`skill` AS `old_skill`, stored.`skill_group` AS `old_skill_group`, stored.`reason` AS `old_reason`, stored.`offered_at` AS `old_offered_at`, stored.`answered_at` AS `old_answered_at`, stored.`ended_at` AS `old_ended_at`, stored.`wait_s` AS `old_wait_s`, stored.`talk_s` AS `old_talk_s`, stored.`hold_s` AS `old_hold_s`, stored.`acw_s` AS `old_acw_s`, stored.`abandoned` AS `old_abandoned`, stored.`transferred` AS `old_transferred`, stored.`escalated` AS `old_escalated`, stored.`resolved_first_contact` AS `old_resolved_first_contact`, stored.`source` AS `old_source`, stored.`updated_at` AS `old_updated_at`,
            incoming.is_deleted AS incoming_deleted,
            incoming._row_hash AS new_hash,
            stored._row_hash AS old_hash,
            stored._version > 0 AS is_stored
        FROM incoming
        LEFT JOIN stored USING (`contact_id`, `leg`)
    )
SELECT `contact_id`, `leg`, `old_channel`, `old_direction`, `old_customer_id`, `old_agent_id`, `old_skill`, `old_skill_group`, `old_reason`, `old_offered_at`, `old_answered_at`, `old_ended_at`, `old_wait_s`, `old_talk_s`, `old_hold_s`, `old_acw_s`, `old_abandoned`, `old_transferred`, `old_escalated`, `old_resolved_first_contact`, `old_source`, `old_updated_at`,
    -1, incoming_deleted, {batch:UInt64}, old_hash, {batch:UInt64}
FROM compared
WHERE is_stored AND (new_hash != old_hash AND `updated_at` >= `old_updated_at`)
UNION ALL
SELECT `contact_id`, `leg`, `channel`, `direction`, `customer_id`, `agent_id`, `skill`, `skill_group`, `reason`, `offered_at`, `answered_at`, `ended_at`, `wait_s`, `talk_s`, `hold_s`, `acw_s`, `abandoned`, `transferred`, `escalated`, `resolved_first_contact`, `source`, `updated_at`, 1, 0, {batch:UInt64}, new_hash, {batch:UInt64}
FROM compared
WHERE NOT incoming_deleted AND (NOT is_stored OR (new_hash != old_hash AND `updated_at` >= `old_updated_at`))
SETTINGS join_use_nulls = 0
