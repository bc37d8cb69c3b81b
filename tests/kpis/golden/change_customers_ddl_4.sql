CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`customers_state_mv`
TO `cc`.`customers`
AS SELECT
    `customer_id`, `acquired_at`, `acquisition_channel`, `churned_at`, `segment`, `source`, `updated_at`, is_deleted, _version, _row_hash
FROM `cc`.`customers_changes`
WHERE sign = 1 OR is_deleted = 1
