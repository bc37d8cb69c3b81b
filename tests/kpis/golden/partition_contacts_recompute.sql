INSERT INTO `cc`.`agg_contacts_partition_recompute`
SELECT
    anchor_hour AS hour,
    dim_channel AS channel,
    dim_skill AS skill,
    dim_skill_group AS skill_group,
    dim_agent AS agent,
    sum(sign * part_offered) AS offered,
    sum(sign * part_abandoned) AS abandoned,
    sum(sign * part_abandoned_short) AS abandoned_short,
    sum(sign * part_abandon_wait_s) AS abandon_wait_s,
    sum(sign * part_answered_of_offered) AS answered_of_offered,
    sum(sign * part_answered_in_threshold) AS answered_in_threshold,
    sum(sign * part_answered) AS answered,
    sum(sign * part_answer_wait_s) AS answer_wait_s,
    sum(sign * part_handled) AS handled,
    sum(sign * part_talk_s) AS talk_s,
    sum(sign * part_hold_s) AS hold_s,
    sum(sign * part_acw_s) AS acw_s,
    sum(sign * part_held) AS held,
    sum(sign * part_transferred) AS transferred,
    sum(sign * part_escalated) AS escalated,
    sum(sign * part_fcr_known) AS fcr_known,
    sum(sign * part_fcr_resolved) AS fcr_resolved
FROM (
    SELECT
        toStartOfHour(anchor.2) AS anchor_hour,
        sign,
        channel AS dim_channel,
        ifNull(skill, '') AS dim_skill,
        ifNull(skill_group, '') AS dim_skill_group,
        ifNull(agent_id, '') AS dim_agent,
        if(anchor.1 = 'offered', toInt64(ifNull(direction = 'inbound', 0)), 0) AS part_offered,
        if(anchor.1 = 'offered', toInt64(ifNull(direction = 'inbound' AND abandoned = 1, 0)), 0) AS part_abandoned,
        if(anchor.1 = 'offered', toInt64(ifNull(direction = 'inbound' AND abandoned = 1 AND wait_s <= 5, 0)), 0) AS part_abandoned_short,
        if(anchor.1 = 'offered', toFloat64(ifNull(if(direction = 'inbound' AND abandoned = 1, wait_s, 0), 0)), 0) AS part_abandon_wait_s,
        if(anchor.1 = 'offered', toInt64(ifNull(direction = 'inbound' AND answered_at IS NOT NULL, 0)), 0) AS part_answered_of_offered,
        if(anchor.1 = 'offered', toInt64(ifNull(direction = 'inbound' AND answered_at IS NOT NULL AND wait_s <= 20, 0)), 0) AS part_answered_in_threshold,
        if(anchor.1 = 'answered', toInt64(ifNull(direction = 'inbound' AND answered_at IS NOT NULL, 0)), 0) AS part_answered,
        if(anchor.1 = 'answered', toFloat64(ifNull(if(direction = 'inbound' AND answered_at IS NOT NULL, wait_s, 0), 0)), 0) AS part_answer_wait_s,
        if(anchor.1 = 'completed', toInt64(ifNull(answered_at IS NOT NULL, 0)), 0) AS part_handled,
        if(anchor.1 = 'completed', toFloat64(ifNull(if(answered_at IS NOT NULL, talk_s, 0), 0)), 0) AS part_talk_s,
        if(anchor.1 = 'completed', toFloat64(ifNull(if(answered_at IS NOT NULL, hold_s, 0), 0)), 0) AS part_hold_s,
        if(anchor.1 = 'completed', toFloat64(ifNull(if(answered_at IS NOT NULL, acw_s, 0), 0)), 0) AS part_acw_s,
        if(anchor.1 = 'completed', toInt64(ifNull(answered_at IS NOT NULL AND hold_s > 0, 0)), 0) AS part_held,
        if(anchor.1 = 'completed', toInt64(ifNull(answered_at IS NOT NULL AND transferred = 1, 0)), 0) AS part_transferred,
        if(anchor.1 = 'completed', toInt64(ifNull(answered_at IS NOT NULL AND escalated = 1, 0)), 0) AS part_escalated,
        if(anchor.1 = 'offered', toInt64(ifNull(answered_at IS NOT NULL AND direction = 'inbound' AND leg = 1 AND resolved_first_contact IS NOT NULL, 0)), 0) AS part_fcr_known,
        if(anchor.1 = 'offered', toInt64(ifNull(answered_at IS NOT NULL AND direction = 'inbound' AND leg = 1 AND resolved_first_contact = 1, 0)), 0) AS part_fcr_resolved
    FROM (SELECT *, toInt8(1) AS sign FROM `cc`.`contacts` FINAL)
    ARRAY JOIN [('offered', offered_at), ('answered', answered_at), ('completed', if(ended_at IS NULL, NULL, ended_at + toIntervalMillisecond(round(acw_s * 1000))))] AS anchor
    WHERE anchor.2 IS NOT NULL AND (1) AND toYYYYMM(anchor.2) = {partition:UInt32}
)
GROUP BY hour, channel, skill, skill_group, agent
