INSERT INTO `cc`.`revenue_pending`
    (`customer_id`, `occurred_at`, `amount`, `gross_margin`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash, _batch)
WITH
    incoming AS (
        SELECT `customer_id`, `occurred_at`, `amount`, `gross_margin`, `source`, `updated_at`, is_deleted,
            cityHash64(tuple(`customer_id`, `occurred_at`, `amount`, `gross_margin`, `source`, is_deleted)) AS _row_hash
        FROM `cc`.`revenue_staging`
        WHERE _batch = {batch:UInt64}
        ORDER BY `customer_id`, `occurred_at`, updated_at DESC, is_deleted DESC, _row_hash
        LIMIT 1 BY `customer_id`, `occurred_at`
    ),
    stored AS (
        SELECT `customer_id`, `occurred_at`, `amount`, `gross_margin`, `source`, `updated_at`,
            cityHash64(tuple(`customer_id`, `occurred_at`, `amount`, `gross_margin`, `source`, is_deleted)) AS _row_hash, _version
        FROM `cc`.`revenue` FINAL
        WHERE (`customer_id`, `occurred_at`) IN (SELECT `customer_id`, `occurred_at` FROM incoming)
    ),
    compared AS (
        SELECT `customer_id`, `occurred_at`, incoming.`amount` AS `amount`, incoming.`gross_margin` AS `gross_margin`, incoming.`source` AS `source`, incoming.`updated_at` AS `updated_at`, stored.`amount` AS `old_amount`, stored.`gross_margin` AS `old_gross_margin`, stored.`source` AS `old_source`, stored.`updated_at` AS `old_updated_at`,
            incoming.is_deleted AS incoming_deleted,
            incoming._row_hash AS new_hash,
            stored._row_hash AS old_hash,
            stored._version > 0 AS is_stored
        FROM incoming
        LEFT JOIN stored USING (`customer_id`, `occurred_at`)
    )
SELECT `customer_id`, `occurred_at`, `old_amount`, `old_gross_margin`, `old_source`, `old_updated_at`,
    -1, incoming_deleted, {batch:UInt64}, old_hash, {batch:UInt64}
FROM compared
WHERE is_stored AND (new_hash != old_hash AND `updated_at` >= `old_updated_at`)
UNION ALL
SELECT `customer_id`, `occurred_at`, `amount`, `gross_margin`, `source`, `updated_at`, 1, 0, {batch:UInt64}, new_hash, {batch:UInt64}
FROM compared
WHERE NOT incoming_deleted AND (NOT is_stored OR (new_hash != old_hash AND `updated_at` >= `old_updated_at`))
SETTINGS join_use_nulls = 0
