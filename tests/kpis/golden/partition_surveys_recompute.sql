INSERT INTO `cc`.`agg_surveys_partition_recompute`
SELECT
    anchor_hour AS hour,
    dim_channel AS channel,
    dim_skill AS skill,
    dim_skill_group AS skill_group,
    dim_agent AS agent,
    sum(sign * part_csat_valid) AS csat_valid,
    sum(sign * part_csat_top_two) AS csat_top_two,
    sum(sign * part_csat_scored) AS csat_scored,
    sum(sign * part_csat_score) AS csat_score,
    sum(sign * part_nps_valid) AS nps_valid,
    sum(sign * part_nps_promoters) AS nps_promoters,
    sum(sign * part_nps_detractors) AS nps_detractors,
    sum(sign * part_ces_valid) AS ces_valid,
    sum(sign * part_ces_agree) AS ces_agree,
    sum(sign * part_ces_score) AS ces_score,
    sum(sign * part_esat_valid) AS esat_valid,
    sum(sign * part_esat_favourable) AS esat_favourable,
    sum(sign * part_engagement_valid) AS engagement_valid,
    sum(sign * part_engagement_pct) AS engagement_pct
FROM (
    SELECT
        toStartOfHour(anchor.2) AS anchor_hour,
        sign,
        ifNull(channel, '') AS dim_channel,
        ifNull(skill, '') AS dim_skill,
        ifNull(skill_group, '') AS dim_skill_group,
        ifNull(agent_id, '') AS dim_agent,
        if(anchor.1 = 'responded', toInt64(ifNull(kind = 'csat', 0)), 0) AS part_csat_valid,
        if(anchor.1 = 'responded', toInt64(ifNull(kind = 'csat' AND score >= scale_max - if(scale_max - scale_min >= 4, 1, 0), 0)), 0) AS part_csat_top_two,
        if(anchor.1 = 'responded', toInt64(ifNull(kind = 'csat' AND scale_max - scale_min >= 4, 0)), 0) AS part_csat_scored,
        if(anchor.1 = 'responded', toFloat64(ifNull(if(kind = 'csat' AND scale_max - scale_min >= 4, score, 0), 0)), 0) AS part_csat_score,
        if(anchor.1 = 'responded', toInt64(ifNull(kind = 'nps' AND scale_min = 0 AND scale_max = 10, 0)), 0) AS part_nps_valid,
        if(anchor.1 = 'responded', toInt64(ifNull(kind = 'nps' AND scale_max = 10 AND score >= 9, 0)), 0) AS part_nps_promoters,
        if(anchor.1 = 'responded', toInt64(ifNull(kind = 'nps' AND scale_max = 10 AND score <= 6, 0)), 0) AS part_nps_detractors,
        if(anchor.1 = 'responded', toInt64(ifNull(kind = 'ces', 0)), 0) AS part_ces_valid,
        if(anchor.1 = 'responded', toInt64(ifNull(kind = 'ces' AND score >= scale_max - if((scale_max - scale_min + 1) >= 7, 2, 1), 0)), 0) AS part_ces_agree,
        if(anchor.1 = 'responded', toFloat64(ifNull(if(kind = 'ces', score, 0), 0)), 0) AS part_ces_score,
        if(anchor.1 = 'responded', toInt64(ifNull(kind = 'esat', 0)), 0) AS part_esat_valid,
        if(anchor.1 = 'responded', toInt64(ifNull(kind = 'esat' AND score >= scale_max - if(scale_max - scale_min >= 4, 1, 0), 0)), 0) AS part_esat_favourable,
        if(anchor.1 = 'responded', toInt64(ifNull(kind = 'engagement', 0)), 0) AS part_engagement_valid,
        if(anchor.1 = 'responded', toFloat64(ifNull(if(kind = 'engagement', 100 * (score - scale_min) / (scale_max - scale_min), 0), 0)), 0) AS part_engagement_pct
    FROM (SELECT *, toInt8(1) AS sign FROM `cc`.`surveys` FINAL)
    ARRAY JOIN [('responded', responded_at)] AS anchor
    WHERE anchor.2 IS NOT NULL AND (1) AND toYYYYMM(anchor.2) = {partition:UInt32}
)
GROUP BY hour, channel, skill, skill_group, agent
