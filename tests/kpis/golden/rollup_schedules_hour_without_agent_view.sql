CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`agg_schedules_hour_without_agent_mv`
TO `cc`.`agg_schedules_hour_without_agent`
AS SELECT
    s.hour AS hour,
    s.channel AS channel,
    s.skill_group AS skill_group,
    sum(s.paid_s) AS paid_s
FROM `cc`.`agg_schedules` AS s
GROUP BY hour, channel, skill_group
