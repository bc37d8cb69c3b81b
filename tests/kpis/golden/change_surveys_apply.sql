INSERT INTO `cc`.`surveys_changes`
    (`response_id`, `kind`, `score`, `scale_min`, `scale_max`, `contact_id`, `customer_id`, `agent_id`, `channel`, `skill`, `skill_group`, `responded_at`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash)
SELECT `response_id`, `kind`, `score`, `scale_min`, `scale_max`, `contact_id`, `customer_id`, `agent_id`, `channel`, `skill`, `skill_group`, `responded_at`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash
FROM `cc`.`surveys_pending`
WHERE _batch = {batch:UInt64}
ORDER BY `response_id`, sign
