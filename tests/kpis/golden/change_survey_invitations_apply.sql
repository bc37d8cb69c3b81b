INSERT INTO `cc`.`survey_invitations_changes`
    (`invitation_id`, `kind`, `contact_id`, `customer_id`, `agent_id`, `channel`, `skill`, `skill_group`, `sent_at`, `responded_at`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash)
SELECT `invitation_id`, `kind`, `contact_id`, `customer_id`, `agent_id`, `channel`, `skill`, `skill_group`, `sent_at`, `responded_at`, `source`, `updated_at`, sign, is_deleted, _version, _row_hash
FROM `cc`.`survey_invitations_pending`
WHERE _batch = {batch:UInt64}
ORDER BY `invitation_id`, sign
