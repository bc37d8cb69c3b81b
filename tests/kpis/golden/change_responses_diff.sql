INSERT INTO `cc`.`responses_pending`
    (`response_id`, `contact_id`, `channel`, `agent_id`, `skill`, `skill_group`, `customer_message_at`, `replied_at`, `response_s`, `is_first_response`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash, _batch)
WITH
    incoming AS (
        SELECT `response_id`, `contact_id`, `channel`, `agent_id`, `skill`, `skill_group`, `customer_message_at`, `replied_at`, `response_s`, `is_first_response`, `source`, `updated_at`, is_deleted,
            cityHash64(tuple(`response_id`, `contact_id`, `channel`, `agent_id`, `skill`, `skill_group`, `customer_message_at`, `replied_at`, `response_s`, `is_first_response`, `source`, is_deleted)) AS _row_hash
        FROM `cc`.`responses_staging`
        WHERE _batch = {batch:UInt64}
        ORDER BY `response_id`, updated_at DESC, is_deleted DESC, _row_hash
        LIMIT 1 BY `response_id`
    ),
    stored AS (
        SELECT `response_id`, `contact_id`, `channel`, `agent_id`, `skill`, `skill_group`, `customer_message_at`, `replied_at`, `response_s`, `is_first_response`, `source`, `updated_at`,
            cityHash64(tuple(`response_id`, `contact_id`, `channel`, `agent_id`, `skill`, `skill_group`, `customer_message_at`, `replied_at`, `response_s`, `is_first_response`, `source`, is_deleted)) AS _row_hash, _version
        FROM `cc`.`responses` FINAL
        WHERE (`response_id`) IN (SELECT `response_id` FROM incoming)
    ),
    compared AS (
        SELECT `response_id`, incoming.`contact_id` AS `contact_id`, incoming.`channel` AS `channel`, incoming.`agent_id` AS `agent_id`, incoming.`skill` AS `skill`, incoming.`skill_group` AS `skill_group`, incoming.`customer_message_at` AS `customer_message_at`, incoming.`replied_at` AS `replied_at`, incoming.`response_s` AS `response_s`, incoming.`is_first_response` AS `is_first_response`, incoming.`source` AS `source`, incoming.`updated_at` AS `updated_at`, stored.`contact_id` AS `old_contact_id`, stored.`channel` AS `old_channel`, stored.`agent_id` AS `old_agent_id`, stored.`skill` AS `old_skill`, stored.`skill_group` AS `old_skill_group`, stored.`customer_message_at` AS `old_customer_message_at`, stored.`replied_at` AS `old_replied_at`, stored.`response_s` AS `old_response_s`, stored.`is_first_response` AS `old_is_first_response`, stored.`source` AS `old_source`, stored.`updated_at` AS `old_updated_at`,
            incoming.is_deleted AS incoming_deleted,
            incoming._row_hash AS new_hash,
            stored._row_hash AS old_hash,
            stored._version > 0 AS is_stored
        FROM incoming
        LEFT JOIN stored USING (`response_id`)
    )
SELECT `response_id`, `old_contact_id`, `old_channel`, `old_agent_id`, `old_skill`, `old_skill_group`, `old_customer_message_at`, `old_replied_at`, `old_response_s`, `old_is_first_response`, `old_source`, `old_updated_at`,
    -1, incoming_deleted, {batch:UInt64}, old_hash, {batch:UInt64}
FROM compared
WHERE is_stored AND (new_hash != old_hash AND `updated_at` >= `old_updated_at`)
UNION ALL
SELECT `response_id`, `contact_id`, `channel`, `agent_id`, `skill`, `skill_group`, `customer_message_at`, `replied_at`, `response_s`, `is_first_response`, `source`, `updated_at`, 1, 0, {batch:UInt64}, new_hash, {batch:UInt64}
FROM compared
WHERE NOT incoming_deleted AND (NOT is_stored OR (new_hash != old_hash AND `updated_at` >= `old_updated_at`))
SETTINGS join_use_nulls = 0
