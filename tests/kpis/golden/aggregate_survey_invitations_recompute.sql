INSERT INTO `cc`.`agg_survey_invitations`
SELECT
    anchor_hour AS hour,
    dim_channel AS channel,
    dim_skill AS skill,
    dim_skill_group AS skill_group,
    dim_agent AS agent,
    sum(sign * part_surveys_sent) AS surveys_sent,
    sum(sign * part_surveys_answered) AS surveys_answered
FROM (
    SELECT
        toStartOfHour(anchor.2) AS anchor_hour,
        sign,
        ifNull(channel, '') AS dim_channel,
        ifNull(skill, '') AS dim_skill,
        ifNull(skill_group, '') AS dim_skill_group,
        ifNull(agent_id, '') AS dim_agent,
        if(anchor.1 = 'sent', toInt64(ifNull(1, 0)), 0) AS part_surveys_sent,
        if(anchor.1 = 'sent', toInt64(ifNull(responded_at IS NOT NULL, 0)), 0) AS part_surveys_answered
    FROM (SELECT *, toInt8(1) AS sign FROM `cc`.`survey_invitations` FINAL)
    ARRAY JOIN [('sent', sent_at)] AS anchor
    WHERE anchor.2 IS NOT NULL AND (1)
)
GROUP BY hour, channel, skill, skill_group, agent
