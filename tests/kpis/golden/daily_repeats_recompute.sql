INSERT INTO `cc`.`agg_repeats_recompute`
WITH
    contacts AS (
        SELECT
            contact_id,
            customer_id,
            offered_at,
            channel,
            ifNull(skill, '') AS skill,
            ifNull(skill_group, '') AS skill_group,
            ifNull(agent_id, '') AS agent
        FROM `cc`.`contacts_by_day` FINAL
        WHERE sign = 1 AND toDate(offered_at) IN {days:Array(Date)}
        AND leg = 1 AND direction = 'inbound'
    ),
    earlier AS (
        SELECT customer_id, offered_at
        FROM `cc`.`contacts_by_day` FINAL
        WHERE sign = 1 AND leg = 1 AND direction = 'inbound'
        AND customer_id IN (SELECT customer_id FROM contacts)
        AND offered_at >= (SELECT min(offered_at) FROM contacts) - toIntervalDay(7)
        AND offered_at < (SELECT max(offered_at) FROM contacts)
    ),
    repeats AS (
        SELECT DISTINCT contacts.contact_id AS contact_id
        FROM contacts
        INNER JOIN earlier ON earlier.customer_id = contacts.customer_id
        WHERE earlier.offered_at >= contacts.offered_at - toIntervalDay(7)
        AND earlier.offered_at < contacts.offered_at
    )
SELECT
    toStartOfHour(offered_at) AS hour,
    channel,
    skill,
    skill_group,
    agent,
    count() AS inbound_contacts,
    countIf(contact_id IN (SELECT contact_id FROM repeats)) AS repeat_contacts
FROM contacts
GROUP BY hour, channel, skill, skill_group, agent
