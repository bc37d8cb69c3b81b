CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`survey_invitations_state_mv`
TO `cc`.`survey_invitations`
AS SELECT
    `invitation_id`, `kind`, `contact_id`, `customer_id`, `agent_id`, `channel`, `skill`, `skill_group`, `sent_at`, `responded_at`, `source`, `updated_at`, is_deleted, _version, _row_hash
FROM `cc`.`survey_invitations_changes`
WHERE sign = 1 OR is_deleted = 1
