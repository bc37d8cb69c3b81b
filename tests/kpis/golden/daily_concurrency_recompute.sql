INSERT INTO `cc`.`agg_concurrency_recompute`
WITH
    legs AS (
        SELECT
            agent_id,
            toUnixTimestamp64Milli(assumeNotNull(answered_at)) AS start_ms,
            toUnixTimestamp64Milli(assumeNotNull(ended_at + toIntervalMillisecond(round(acw_s * 1000)))) AS end_ms,
            talk_s + hold_s + acw_s AS handle_s
        FROM `cc`.`contacts` FINAL
        WHERE channel IN ('chat', 'messaging')
        AND agent_id IS NOT NULL
        AND answered_at IS NOT NULL
        AND ended_at IS NOT NULL
        AND ended_at + toIntervalMillisecond(round(acw_s * 1000)) >= arrayMin({days:Array(Date)}) - 1
        AND answered_at < arrayMax({days:Array(Date)}) + 1
    ),
    measures AS (
        SELECT agent_id, end_ms, handle_s, 0.0 AS busy_s
        FROM legs
        UNION ALL
        SELECT agent_id, stretch.2 AS end_ms, 0.0 AS handle_s, (stretch.2 - stretch.1) / 1000 AS busy_s
        FROM (SELECT agent_id, arrayFold((stretches, leg) -> if(length(stretches) > 0 AND leg.1 < stretches[-1].2, arrayPushBack(arrayPopBack(stretches), (stretches[-1].1, greatest(stretches[-1].2, leg.2))), arrayPushBack(stretches, leg)), arraySort(groupArray((start_ms, end_ms))), CAST([], 'Array(Tuple(Int64, Int64))')) AS stretches FROM legs GROUP BY agent_id)
        ARRAY JOIN stretches AS stretch
    ),
    agents AS (
        SELECT
            agent_id,
            ifNull(primary_channel, '') AS channel,
            ifNull(skill_group, '') AS skill_group
        FROM `cc`.`employees` FINAL
        WHERE agent_id IN (SELECT agent_id FROM legs)
    )
SELECT
    toStartOfHour(fromUnixTimestamp64Milli(measures.end_ms, 'UTC')) AS hour,
    agents.channel AS channel,
    agents.skill_group AS skill_group,
    measures.agent_id AS agent,
    sum(measures.handle_s) AS chat_handle_s,
    sum(measures.busy_s) AS chat_busy_s
FROM measures
LEFT JOIN agents ON agents.agent_id = measures.agent_id
WHERE toDate(hour) IN {days:Array(Date)}
GROUP BY hour, channel, skill_group, agent
SETTINGS join_use_nulls = 0
