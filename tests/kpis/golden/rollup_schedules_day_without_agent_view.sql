CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`agg_schedules_day_without_agent_mv`
TO `cc`.`agg_schedules_day_without_agent`
AS SELECT
    toStartOfDay(s.hour) AS day,
    s.channel AS channel,
    s.skill_group AS skill_group,
    sum(s.paid_s) AS paid_s
FROM `cc`.`agg_schedules` AS s
GROUP BY day, channel, skill_group
