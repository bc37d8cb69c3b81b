INSERT INTO `cc`.`survey_invitations_pending`
    (`invitation_id`, `kind`, `contact_id`, `customer_id`, `agent_id`, `channel`, `skill`, `skill_group`, `sent_at`, `responded_at`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash, _batch)
WITH
    incoming AS (
        SELECT `invitation_id`, `kind`, `contact_id`, `customer_id`, `agent_id`, `channel`, `skill`, `skill_group`, `sent_at`, `responded_at`, `source`, `updated_at`, is_deleted,
            cityHash64(tuple(`invitation_id`, `kind`, `contact_id`, `customer_id`, `agent_id`, `channel`, `skill`, `skill_group`, `sent_at`, `responded_at`, `source`, is_deleted)) AS _row_hash
        FROM `cc`.`survey_invitations_staging`
        WHERE _batch = {batch:UInt64}
        ORDER BY `invitation_id`, updated_at DESC, is_deleted DESC, _row_hash
        LIMIT 1 BY `invitation_id`
    ),
    stored AS (
        SELECT `invitation_id`, `kind`, `contact_id`, `customer_id`, `agent_id`, `channel`, `skill`, `skill_group`, `sent_at`, `responded_at`, `source`, `updated_at`,
            cityHash64(tuple(`invitation_id`, `kind`, `contact_id`, `customer_id`, `agent_id`, `channel`, `skill`, `skill_group`, `sent_at`, `responded_at`, `source`, is_deleted)) AS _row_hash, _version
        FROM `cc`.`survey_invitations` FINAL
        WHERE (`invitation_id`) IN (SELECT `invitation_id` FROM incoming)
    ),
    compared AS (
        SELECT `invitation_id`, incoming.`kind` AS `kind`, incoming.`contact_id` AS `contact_id`, incoming.`customer_id` AS `customer_id`, incoming.`agent_id` AS `agent_id`, incoming.`channel` AS `channel`, incoming.`skill` AS `skill`, incoming.`skill_group` AS `skill_group`, incoming.`sent_at` AS `sent_at`, incoming.`responded_at` AS `responded_at`, incoming.`source` AS `source`, incoming.`updated_at` AS `updated_at`, stored.`kind` AS `old_kind`, stored.`contact_id` AS `old_contact_id`, stored.`customer_id` AS `old_customer_id`, stored.`agent_id` AS `old_agent_id`, stored.`channel` AS `old_channel`, stored.`skill` AS `old_skill`, stored.`skill_group` AS `old_skill_group`, stored.`sent_at` AS `old_sent_at`, stored.`responded_at` AS `old_responded_at`, stored.`source` AS `old_source`, stored.`updated_at` AS `old_updated_at`,
            incoming.is_deleted AS incoming_deleted,
            incoming._row_hash AS new_hash,
            stored._row_hash AS old_hash,
            stored._version > 0 AS is_stored
        FROM incoming
        LEFT JOIN stored USING (`invitation_id`)
    )
SELECT `invitation_id`, `old_kind`, `old_contact_id`, `old_customer_id`, `old_agent_id`, `old_channel`, `old_skill`, `old_skill_group`, `old_sent_at`, `old_responded_at`, `old_source`, `old_updated_at`,
    -1, incoming_deleted, {batch:UInt64}, old_hash, {batch:UInt64}
FROM compared
WHERE is_stored AND (new_hash != old_hash AND `updated_at` >= `old_updated_at`)
UNION ALL
SELECT `invitation_id`, `kind`, `contact_id`, `customer_id`, `agent_id`, `channel`, `skill`, `skill_group`, `sent_at`, `responded_at`, `source`, `updated_at`, 1, 0, {batch:UInt64}, new_hash, {batch:UInt64}
FROM compared
WHERE NOT incoming_deleted AND (NOT is_stored OR (new_hash != old_hash AND `updated_at` >= `old_updated_at`))
SETTINGS join_use_nulls = 0
