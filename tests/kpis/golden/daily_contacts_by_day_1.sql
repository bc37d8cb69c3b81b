CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`contacts_by_day_mv`
TO `cc`.`contacts_by_day`
AS SELECT contact_id, leg, channel, direction, customer_id, agent_id, skill, skill_group, offered_at, answered_at, resolved_first_contact, sign
FROM `cc`.`contacts_changes`
