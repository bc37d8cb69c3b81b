INSERT INTO `cc`.`customers_pending`
    (`customer_id`, `acquired_at`, `acquisition_channel`, `churned_at`, `segment`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash, _batch)
WITH
    incoming AS (
        SELECT `customer_id`, `acquired_at`, `acquisition_channel`, `churned_at`, `segment`, `source`, `updated_at`, is_deleted,
            cityHash64(tuple(`customer_id`, `acquired_at`, `acquisition_channel`, `churned_at`, `segment`, `source`, is_deleted)) AS _row_hash
        FROM `cc`.`customers_staging`
        WHERE _batch = {batch:UInt64}
        ORDER BY `customer_id`, updated_at DESC, is_deleted DESC, _row_hash
        LIMIT 1 BY `customer_id`
    ),
    stored AS (
        SELECT `customer_id`, `acquired_at`, `acquisition_channel`, `churned_at`, `segment`, `source`, `updated_at`,
            cityHash64(tuple(`customer_id`, `acquired_at`, `acquisition_channel`, `churned_at`, `segment`, `source`, is_deleted)) AS _row_hash, _version
        FROM `cc`.`customers` FINAL
        WHERE (`customer_id`) IN (SELECT `customer_id` FROM incoming)
    ),
    compared AS (
        SELECT `customer_id`, incoming.`acquired_at` AS `acquired_at`, incoming.`acquisition_channel` AS `acquisition_channel`, incoming.`churned_at` AS `churned_at`, incoming.`segment` AS `segment`, incoming.`source` AS `source`, incoming.`updated_at` AS `updated_at`, stored.`acquired_at` AS `old_acquired_at`, stored.`acquisition_channel` AS `old_acquisition_channel`, stored.`churned_at` AS `old_churned_at`, stored.`segment` AS `old_segment`, stored.`source` AS `old_source`, stored.`updated_at` AS `old_updated_at`,
            incoming.is_deleted AS incoming_deleted,
            incoming._row_hash AS new_hash,
            stored._row_hash AS old_hash,
            stored._version > 0 AS is_stored
        FROM incoming
        LEFT JOIN stored USING (`customer_id`)
    )
SELECT `customer_id`, `old_acquired_at`, `old_acquisition_channel`, `old_churned_at`, `old_segment`, `old_source`, `old_updated_at`,
    -1, incoming_deleted, {batch:UInt64}, old_hash, {batch:UInt64}
FROM compared
WHERE is_stored AND (new_hash != old_hash AND `updated_at` >= `old_updated_at`)
UNION ALL
SELECT `customer_id`, `acquired_at`, `acquisition_channel`, `churned_at`, `segment`, `source`, `updated_at`, 1, 0, {batch:UInt64}, new_hash, {batch:UInt64}
FROM compared
WHERE NOT incoming_deleted AND (NOT is_stored OR (new_hash != old_hash AND `updated_at` >= `old_updated_at`))
SETTINGS join_use_nulls = 0
