INSERT INTO `cc`.`responses_changes`
    (`response_id`, `contact_id`, `channel`, `agent_id`, `skill`, `skill_group`, `customer_message_at`, `replied_at`, `response_s`, `is_first_response`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash)
SELECT `response_id`, `contact_id`, `channel`, `agent_id`, `skill`, `skill_group`, `customer_message_at`, `replied_at`, `response_s`, `is_first_response`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash
FROM `cc`.`responses_pending`
WHERE _batch = {batch:UInt64}
ORDER BY `response_id`, sign
