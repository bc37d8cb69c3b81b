INSERT INTO `cc`.`agg_agent_states_partition_recompute`
SELECT
    anchor_hour AS hour,
    dim_channel AS channel,
    dim_skill_group AS skill_group,
    dim_agent AS agent,
    sum(sign * part_available_s) AS available_s,
    sum(sign * part_on_contact_s) AS on_contact_s,
    sum(sign * part_acw_s) AS acw_s,
    sum(sign * part_training_s) AS training_s,
    sum(sign * part_meeting_s) AS meeting_s,
    sum(sign * part_break_s) AS break_s
FROM (
    SELECT
        toStartOfHour(anchor.2) AS anchor_hour,
        sign,
        ifNull(channel, '') AS dim_channel,
        ifNull(skill_group, '') AS dim_skill_group,
        agent_id AS dim_agent,
        if(anchor.1 = 'started', toFloat64(ifNull(if(state = 'available', (toUnixTimestamp64Milli(ended_at) - toUnixTimestamp64Milli(started_at)) / 1000, 0), 0)), 0) AS part_available_s,
        if(anchor.1 = 'started', toFloat64(ifNull(if(state = 'on_contact', (toUnixTimestamp64Milli(ended_at) - toUnixTimestamp64Milli(started_at)) / 1000, 0), 0)), 0) AS part_on_contact_s,
        if(anchor.1 = 'started', toFloat64(ifNull(if(state = 'acw', (toUnixTimestamp64Milli(ended_at) - toUnixTimestamp64Milli(started_at)) / 1000, 0), 0)), 0) AS part_acw_s,
        if(anchor.1 = 'started', toFloat64(ifNull(if(state = 'training', (toUnixTimestamp64Milli(ended_at) - toUnixTimestamp64Milli(started_at)) / 1000, 0), 0)), 0) AS part_training_s,
        if(anchor.1 = 'started', toFloat64(ifNull(if(state = 'meeting', (toUnixTimestamp64Milli(ended_at) - toUnixTimestamp64Milli(started_at)) / 1000, 0), 0)), 0) AS part_meeting_s,
        if(anchor.1 = 'started', toFloat64(ifNull(if(state = 'break', (toUnixTimestamp64Milli(ended_at) - toUnixTimestamp64Milli(started_at)) / 1000, 0), 0)), 0) AS part_break_s
    FROM (SELECT *, toInt8(1) AS sign FROM `cc`.`agent_states` FINAL)
    ARRAY JOIN [('started', if(ended_at IS NULL, NULL, started_at))] AS anchor
    WHERE anchor.2 IS NOT NULL AND (1) AND toYYYYMM(anchor.2) = {partition:UInt32}
)
GROUP BY hour, channel, skill_group, agent
