INSERT INTO `cc`.`costs_changes`
    (`period_start`, `period_end`, `scope`, `channel`, `amount`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash)
SELECT `period_start`, `period_end`, `scope`, `channel`, `amount`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash
FROM `cc`.`costs_pending`
WHERE _batch = {batch:UInt64}
ORDER BY `period_start`, `scope`, `channel`, sign
