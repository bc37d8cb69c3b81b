INSERT INTO `cc`.`qa_evaluations_pending`
    (`evaluation_id`, `contact_id`, `agent_id`, `channel`, `skill`, `score_pct`, `script_items_required`, `script_items_met`, `is_calibration`, `evaluated_at`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash, _batch)
WITH
    incoming AS (
        SELECT `evaluation_id`, `contact_id`, `agent_id`, `channel`, `skill`, `score_pct`, `script_items_required`, `script_items_met`, `is_calibration`, `evaluated_at`, `source`, `updated_at`, is_deleted,
            cityHash64(tuple(`evaluation_id`, `contact_id`, `agent_id`, `channel`, `skill`, `score_pct`, `script_items_required`, `script_items_met`, `is_calibration`, `evaluated_at`, `source`, is_deleted)) AS _row_hash
        FROM `cc`.`qa_evaluations_staging`
        WHERE _batch = {batch:UInt64}
        ORDER BY `evaluation_id`, updated_at DESC, is_deleted DESC, _row_hash
        LIMIT 1 BY `evaluation_id`
    ),
    stored AS (
        SELECT `evaluation_id`, `contact_id`, `agent_id`, `channel`, `skill`, `score_pct`, `script_items_required`, `script_items_met`, `is_calibration`, `evaluated_at`, `source`, `updated_at`,
            cityHash64(tuple(`evaluation_id`, `contact_id`, `agent_id`, `channel`, `skill`, `score_pct`, `script_items_required`, `script_items_met`, `is_calibration`, `evaluated_at`, `source`, is_deleted)) AS _row_hash, _version
        FROM `cc`.`qa_evaluations` FINAL
        WHERE (`evaluation_id`) IN (SELECT `evaluation_id` FROM incoming)
    ),
    compared AS (
        SELECT `evaluation_id`, incoming.`contact_id` AS `contact_id`, incoming.`agent_id` AS `agent_id`, incoming.`channel` AS `channel`, incoming.`skill` AS `skill`, incoming.`score_pct` AS `score_pct`, incoming.`script_items_required` AS `script_items_required`, incoming.`script_items_met` AS `script_items_met`, incoming.`is_calibration` AS `is_calibration`, incoming.`evaluated_at` AS `evaluated_at`, incoming.`source` AS `source`, incoming.`updated_at` AS `updated_at`, stored.`contact_id` AS `old_contact_id`, stored.`agent_id` AS `old_agent_id`, stored.`channel` AS `old_channel`, stored.`skill` AS `old_skill`, stored.`score_pct` AS `old_score_pct`, stored.`script_items_required` AS `old_script_items_required`, stored.`script_items_met` AS `old_script_items_met`, stored.`is_calibration` AS `old_is_calibration`, stored.`evaluated_at` AS `old_evaluated_at`, stored.`source` AS `old_source`, stored.`updated_at` AS `old_updated_at`,
            incoming.is_deleted AS incoming_deleted,
            incoming._row_hash AS new_hash,
            stored._row_hash AS old_hash,
            stored._version > 0 AS is_stored
        FROM incoming
        LEFT JOIN stored USING (`evaluation_id`)
    )
SELECT `evaluation_id`, `old_contact_id`, `old_agent_id`, `old_channel`, `old_skill`, `old_score_pct`, `old_script_items_required`, `old_script_items_met`, `old_is_calibration`, `old_evaluated_at`, `old_source`, `old_updated_at`,
    -1, incoming_deleted, {batch:UInt64}, old_hash, {batch:UInt64}
FROM compared
WHERE is_stored AND (new_hash != old_hash AND `updated_at` >= `old_updated_at`)
UNION ALL
SELECT `evaluation_id`, `contact_id`, `agent_id`, `channel`, `skill`, `score_pct`, `script_items_required`, `script_items_met`, `is_calibration`, `evaluated_at`, `source`, `updated_at`, 1, 0, {batch:UInt64}, new_hash, {batch:UInt64}
FROM compared
WHERE NOT incoming_deleted AND (NOT is_stored OR (new_hash != old_hash AND `updated_at` >= `old_updated_at`))
SETTINGS join_use_nulls = 0
