INSERT INTO `cc`.`customers_changes`
    (`customer_id`, `acquired_at`, `acquisition_channel`, `churned_at`, `segment`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash)
SELECT `customer_id`, `acquired_at`, `acquisition_channel`, `churned_at`, `segment`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash
FROM `cc`.`customers_pending`
WHERE _batch = {batch:UInt64}
ORDER BY `customer_id`, sign
