INSERT INTO `cc`.`contacts_by_day_rebuild`
SELECT contact_id, leg, channel, direction, customer_id, agent_id, skill, skill_group, offered_at, answered_at, resolved_first_contact, toInt8(1) AS sign
FROM `cc`.`contacts` FINAL
WHERE is_deleted = 0
AND toYYYYMM(offered_at) = {month:UInt32}
