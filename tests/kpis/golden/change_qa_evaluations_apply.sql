INSERT INTO `cc`.`qa_evaluations_changes`
    (`evaluation_id`, `contact_id`, `agent_id`, `channel`, `skill`, `score_pct`, `script_items_required`, `script_items_met`, `is_calibration`, `evaluated_at`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash)
SELECT `evaluation_id`, `contact_id`, `agent_id`, `channel`, `skill`, `score_pct`, `script_items_required`, `script_items_met`, `is_calibration`, `evaluated_at`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash
FROM `cc`.`qa_evaluations_pending`
WHERE _batch = {batch:UInt64}
ORDER BY `evaluation_id`, sign
