INSERT INTO `cc`.`contacts_changes`
    (`contact_id`, `leg`, `channel`, `direction`, `customer_id`, `agent_id`, `skill`, `skill_group`, `reason`, `offered_at`, `answered_at`, `ended_at`, `wait_s`, `talk_s`, `hold_s`, `acw_s`, `abandoned`, `transferred`, `escalated`, `resolved_first_contact`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash)
SELECT `contact_id`, `leg`, `channel`, `direction`, `customer_id`, `agent_id`, `skill`, `skill_group`, `reason`, `offered_at`, `answered_at`, `ended_at`, `wait_s`, `talk_s`, `hold_s`, `acw_s`, `abandoned`, `transferred`, `escalated`, `resolved_first_contact`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash
FROM `cc`.`contacts_pending`
WHERE _batch = {batch:UInt64}
ORDER BY `contact_id`, `leg`, sign
