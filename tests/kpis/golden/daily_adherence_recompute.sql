INSERT INTO `cc`.`agg_adherence_recompute`
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
        AND activity IN ('break', 'lunch', 'meeting', 'on_queue', 'training')
    ),
    states AS (
        SELECT agent_id, state, started_at, ended_at
        FROM `cc`.`agent_states` FINAL
        WHERE ended_at IS NOT NULL
        AND agent_id IN (SELECT agent_id FROM blocks)
        AND ended_at > (SELECT min(starts_at) FROM blocks)
        AND started_at < (SELECT max(ends_at) FROM blocks)
    ),
    matched AS (
        SELECT
            blocks.agent_id AS agent_id,
            blocks.starts_at AS starts_at,
            sum(least(toUnixTimestamp64Milli(blocks.ends_at), toUnixTimestamp64Milli(states.ended_at)) - greatest(toUnixTimestamp64Milli(blocks.starts_at), toUnixTimestamp64Milli(states.started_at))) AS adherent_ms
        FROM blocks
        INNER JOIN states ON states.agent_id = blocks.agent_id
        WHERE (blocks.activity, states.state) IN (('break', 'break'), ('lunch', 'break'), ('meeting', 'meeting'), ('on_queue', 'acw'), ('on_queue', 'available'), ('on_queue', 'on_contact'), ('training', 'training'))
        AND states.started_at < blocks.ends_at
        AND states.ended_at > blocks.starts_at
        GROUP BY agent_id, starts_at
    )
SELECT
    toStartOfHour(blocks.starts_at) AS hour,
    blocks.channel AS channel,
    blocks.skill_group AS skill_group,
    blocks.agent_id AS agent,
    sum((toUnixTimestamp64Milli(blocks.ends_at) - toUnixTimestamp64Milli(blocks.starts_at)) / 1000) AS scheduled_s,
    sum(matched.adherent_ms / 1000) AS adherent_s
FROM blocks
LEFT JOIN matched USING (agent_id, starts_at)
GROUP BY hour, channel, skill_group, agent
SETTINGS join_use_nulls = 0
