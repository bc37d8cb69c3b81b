CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`costs_state_mv`
TO `cc`.`costs`
AS SELECT
    `period_start`, `period_end`, `scope`, `channel`, `amount`, `source`, `updated_at`, is_deleted, _version, _row_hash
FROM `cc`.`costs_changes`
WHERE sign = 1 OR is_deleted = 1
