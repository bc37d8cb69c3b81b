INSERT INTO `cc`.`agg_responses_partition_recompute`
SELECT
    anchor_hour AS hour,
    dim_channel AS channel,
    dim_skill AS skill,
    dim_skill_group AS skill_group,
    dim_agent AS agent,
    sum(sign * part_replies) AS replies,
    sum(sign * part_response_s) AS response_s,
    sum(sign * part_first_replies) AS first_replies,
    sum(sign * part_first_response_s) AS first_response_s
FROM (
    SELECT
        toStartOfHour(anchor.2) AS anchor_hour,
        sign,
        channel AS dim_channel,
        ifNull(skill, '') AS dim_skill,
        ifNull(skill_group, '') AS dim_skill_group,
        agent_id AS dim_agent,
        if(anchor.1 = 'replied', toInt64(ifNull(1, 0)), 0) AS part_replies,
        if(anchor.1 = 'replied', toFloat64(ifNull(response_s, 0)), 0) AS part_response_s,
        if(anchor.1 = 'replied', toInt64(ifNull(is_first_response = 1, 0)), 0) AS part_first_replies,
        if(anchor.1 = 'replied', toFloat64(ifNull(if(is_first_response = 1, response_s, 0), 0)), 0) AS part_first_response_s
    FROM (SELECT *, toInt8(1) AS sign FROM `cc`.`responses` FINAL)
    ARRAY JOIN [('replied', replied_at)] AS anchor
    WHERE anchor.2 IS NOT NULL AND (1) AND toYYYYMM(anchor.2) = {partition:UInt32}
)
GROUP BY hour, channel, skill, skill_group, agent
