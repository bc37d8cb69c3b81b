INSERT INTO `cc`.`agg_qa_evaluations_partition_recompute`
SELECT
    anchor_hour AS hour,
    dim_channel AS channel,
    dim_skill AS skill,
    dim_skill_group AS skill_group,
    dim_agent AS agent,
    sum(sign * part_evaluations) AS evaluations,
    sum(sign * part_score_pct) AS score_pct,
    sum(sign * part_voice_evaluations) AS voice_evaluations,
    sum(sign * part_voice_score_pct) AS voice_score_pct,
    sum(sign * part_other_evaluations) AS other_evaluations,
    sum(sign * part_other_score_pct) AS other_score_pct,
    sum(sign * part_script_items_required) AS script_items_required,
    sum(sign * part_script_items_met) AS script_items_met
FROM (
    SELECT
        toStartOfHour(anchor.2) AS anchor_hour,
        sign,
        ifNull(channel, '') AS dim_channel,
        ifNull(skill, '') AS dim_skill,
        '' AS dim_skill_group,
        agent_id AS dim_agent,
        if(anchor.1 = 'evaluated', toInt64(ifNull(1, 0)), 0) AS part_evaluations,
        if(anchor.1 = 'evaluated', toFloat64(ifNull(score_pct, 0)), 0) AS part_score_pct,
        if(anchor.1 = 'evaluated', toInt64(ifNull(channel = 'voice', 0)), 0) AS part_voice_evaluations,
        if(anchor.1 = 'evaluated', toFloat64(ifNull(if(channel = 'voice', score_pct, 0), 0)), 0) AS part_voice_score_pct,
        if(anchor.1 = 'evaluated', toInt64(ifNull(ifNull(channel, '') != 'voice', 0)), 0) AS part_other_evaluations,
        if(anchor.1 = 'evaluated', toFloat64(ifNull(if(ifNull(channel, '') != 'voice', score_pct, 0), 0)), 0) AS part_other_score_pct,
        if(anchor.1 = 'evaluated', toFloat64(ifNull(script_items_required, 0)), 0) AS part_script_items_required,
        if(anchor.1 = 'evaluated', toFloat64(ifNull(script_items_met, 0)), 0) AS part_script_items_met
    FROM (SELECT *, toInt8(1) AS sign FROM `cc`.`qa_evaluations` FINAL)
    ARRAY JOIN [('evaluated', evaluated_at)] AS anchor
    WHERE anchor.2 IS NOT NULL AND (is_calibration = 0) AND toYYYYMM(anchor.2) = {partition:UInt32}
)
GROUP BY hour, channel, skill, skill_group, agent
