INSERT INTO `cc`.`revenue_changes`
    (`customer_id`, `occurred_at`, `amount`, `gross_margin`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash)
SELECT `customer_id`, `occurred_at`, `amount`, `gross_margin`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash
FROM `cc`.`revenue_pending`
WHERE _batch = {batch:UInt64}
ORDER BY `customer_id`, `occurred_at`, sign
