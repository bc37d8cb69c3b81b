INSERT INTO `cc`.`costs_pending`
    (`period_start`, `period_end`, `scope`, `channel`, `amount`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash, _batch)
WITH
    incoming AS (
        SELECT `period_start`, `period_end`, `scope`, `channel`, `amount`, `source`, `updated_at`, is_deleted,
            cityHash64(tuple(`period_start`, `period_end`, `scope`, `channel`, `amount`, `source`, is_deleted)) AS _row_hash
        FROM `cc`.`costs_staging`
        WHERE _batch = {batch:UInt64}
        ORDER BY `period_start`, `scope`, `channel`, updated_at DESC, is_deleted DESC, _row_hash
        LIMIT 1 BY `period_start`, `scope`, `channel`
    ),
    stored AS (
        SELECT `period_start`, `period_end`, `scope`, `channel`, `amount`, `source`, `updated_at`,
            cityHash64(tuple(`period_start`, `period_end`, `scope`, `channel`, `amount`, `source`, is_deleted)) AS _row_hash, _version
        FROM `cc`.`costs` FINAL
        WHERE (`period_start`, `scope`, `channel`) IN (SELECT `period_start`, `scope`, `channel` FROM incoming)
    ),
    compared AS (
        SELECT `period_start`, `scope`, `channel`, incoming.`period_end` AS `period_end`, incoming.`amount` AS `amount`, incoming.`source` AS `source`, incoming.`updated_at` AS `updated_at`, stored.`period_end` AS `old_period_end`, stored.`amount` AS `old_amount`, stored.`source` AS `old_source`, stored.`updated_at` AS `old_updated_at`,
            incoming.is_deleted AS incoming_deleted,
            incoming._row_hash AS new_hash,
            stored._row_hash AS old_hash,
            stored._version > 0 AS is_stored
        FROM incoming
        LEFT JOIN stored USING (`period_start`, `scope`, `channel`)
    )
SELECT `period_start`, `old_period_end`, `scope`, `channel`, `old_amount`, `old_source`, `old_updated_at`,
    -1, incoming_deleted, {batch:UInt64}, old_hash, {batch:UInt64}
FROM compared
WHERE is_stored AND (new_hash != old_hash AND `updated_at` >= `old_updated_at`)
UNION ALL
SELECT `period_start`, `period_end`, `scope`, `channel`, `amount`, `source`, `updated_at`, 1, 0, {batch:UInt64}, new_hash, {batch:UInt64}
FROM compared
WHERE NOT incoming_deleted AND (NOT is_stored OR (new_hash != old_hash AND `updated_at` >= `old_updated_at`))
SETTINGS join_use_nulls = 0
