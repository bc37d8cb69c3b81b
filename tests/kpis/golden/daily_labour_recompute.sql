INSERT INTO `cc`.`agg_labour_recompute`
WITH
    blocks AS (
        SELECT
            agent_id,
            activity,
            starts_at,
            ends_at,
            ifNull(channel, '') AS channel,
            ifNull(skill_group, '') AS skill_group
        FROM `cc`.`schedules` FINAL
        WHERE toDate(starts_at) IN {days:Array(Date)}
        AND activity NOT IN ('lunch', 'off')
    ),
    employees AS (
        SELECT agent_id, hourly_cost
        FROM `cc`.`employees` FINAL
        WHERE hourly_cost IS NOT NULL
        AND agent_id IN (SELECT agent_id FROM blocks)
    )
SELECT
    toStartOfHour(blocks.starts_at) AS hour,
    blocks.channel AS channel,
    blocks.skill_group AS skill_group,
    blocks.agent_id AS agent,
    sum((toUnixTimestamp64Milli(blocks.ends_at) - toUnixTimestamp64Milli(blocks.starts_at)) / 1000 / 3600 * employees.hourly_cost) AS labour_cost
FROM blocks
INNER JOIN employees ON employees.agent_id = blocks.agent_id
GROUP BY hour, channel, skill_group, agent
