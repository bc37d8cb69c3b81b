CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`revenue_state_mv`
TO `cc`.`revenue`
AS SELECT
    `customer_id`, `occurred_at`, `amount`, `gross_margin`, `source`, `updated_at`, is_deleted, _version, _row_hash
FROM `cc`.`revenue_changes`
WHERE sign = 1 OR is_deleted = 1
