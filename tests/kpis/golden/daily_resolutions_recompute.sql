INSERT INTO `cc`.`agg_resolutions_recompute`
WITH
    (SELECT maxOrNull(offered_at) FROM `cc`.`contacts` FINAL WHERE leg = 1 AND direction = 'inbound') AS horizon,
    firsts AS (
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
        AND leg = 1 AND direction = 'inbound' AND answered_at IS NOT NULL
        AND resolved_first_contact IS NULL AND customer_id IS NOT NULL
        AND channel NOT IN ('email')
    ),
    unfinished AS (
        SELECT contact_id
        FROM `cc`.`contacts` FINAL
        WHERE contact_id IN (
            SELECT contact_id FROM firsts WHERE channel = 'voice'
        )
        GROUP BY contact_id
        HAVING NOT argMax(answered_at IS NOT NULL AND ended_at IS NOT NULL, leg)
    ),
    later AS (
        SELECT customer_id, offered_at
        FROM `cc`.`contacts_by_day` FINAL
        WHERE sign = 1 AND leg = 1 AND direction = 'inbound'
        AND customer_id IN (SELECT customer_id FROM firsts)
        AND offered_at > (SELECT min(offered_at) FROM firsts)
        AND offered_at <= (SELECT max(offered_at) FROM firsts) + toIntervalDay(7)
    ),
    repeated AS (
        SELECT DISTINCT firsts.contact_id AS contact_id
        FROM firsts
        INNER JOIN later ON later.customer_id = firsts.customer_id
        WHERE later.offered_at > firsts.offered_at
        AND later.offered_at <= firsts.offered_at + toIntervalDay(7)
    )
SELECT
    toStartOfHour(offered_at) AS hour,
    channel,
    skill,
    skill_group,
    agent,
    count() AS derived_known,
    countIf(contact_id NOT IN (SELECT contact_id FROM repeated))
        AS derived_resolved
FROM firsts
WHERE contact_id NOT IN (SELECT contact_id FROM unfinished)
AND (
    contact_id IN (SELECT contact_id FROM repeated)
    OR offered_at + toIntervalDay(7) <= horizon
)
GROUP BY hour, channel, skill, skill_group, agent
