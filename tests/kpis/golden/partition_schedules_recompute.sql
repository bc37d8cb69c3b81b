INSERT INTO `cc`.`agg_schedules_partition_recompute`
SELECT
    anchor_hour AS hour,
    dim_channel AS channel,
    dim_skill_group AS skill_group,
    dim_agent AS agent,
    sum(sign * part_paid_s) AS paid_s
FROM (
    SELECT
        toStartOfHour(anchor.2) AS anchor_hour,
        sign,
        ifNull(channel, '') AS dim_channel,
        ifNull(skill_group, '') AS dim_skill_group,
        agent_id AS dim_agent,
        if(anchor.1 = 'scheduled', toFloat64(ifNull(if(activity NOT IN ('lunch', 'off'), (toUnixTimestamp64Milli(ends_at) - toUnixTimestamp64Milli(starts_at)) / 1000, 0), 0)), 0) AS part_paid_s
    FROM (SELECT *, toInt8(1) AS sign FROM `cc`.`schedules` FINAL)
    ARRAY JOIN [('scheduled', starts_at)] AS anchor
    WHERE anchor.2 IS NOT NULL AND (1) AND toYYYYMM(anchor.2) = {partition:UInt32}
)
GROUP BY hour, channel, skill_group, agent
