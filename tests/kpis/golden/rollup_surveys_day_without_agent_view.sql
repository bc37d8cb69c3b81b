CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`agg_surveys_day_without_agent_mv`
TO `cc`.`agg_surveys_day_without_agent`
AS SELECT
    toStartOfDay(s.hour) AS day,
    s.channel AS channel,
    s.skill AS skill,
    s.skill_group AS skill_group,
    sum(s.csat_valid) AS csat_valid,
    sum(s.csat_top_two) AS csat_top_two,
    sum(s.csat_scored) AS csat_scored,
    sum(s.csat_score) AS csat_score,
    sum(s.nps_valid) AS nps_valid,
    sum(s.nps_promoters) AS nps_promoters,
    sum(s.nps_detractors) AS nps_detractors,
    sum(s.ces_valid) AS ces_valid,
    sum(s.ces_agree) AS ces_agree,
    sum(s.ces_score) AS ces_score,
    sum(s.esat_valid) AS esat_valid,
    sum(s.esat_favourable) AS esat_favourable,
    sum(s.engagement_valid) AS engagement_valid,
    sum(s.engagement_pct) AS engagement_pct
FROM `cc`.`agg_surveys` AS s
GROUP BY day, channel, skill, skill_group
