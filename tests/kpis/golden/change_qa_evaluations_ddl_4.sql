CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`qa_evaluations_state_mv`
TO `cc`.`qa_evaluations`
AS SELECT
    `evaluation_id`, `contact_id`, `agent_id`, `channel`, `skill`, `score_pct`, `script_items_required`, `script_items_met`, `is_calibration`, `evaluated_at`, `source`, `updated_at`, is_deleted, _version, _row_hash
FROM `cc`.`qa_evaluations_changes`
WHERE sign = 1 OR is_deleted = 1
