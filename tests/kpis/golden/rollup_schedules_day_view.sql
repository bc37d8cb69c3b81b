CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`agg_schedules_day_mv`
TO `cc`.`agg_schedules_day`
AS SELECT
    toStartOfDay(s.hour) AS day,
    s.channel AS channel,
    s.skill_group AS skill_group,
    s.agent AS agent,
    sum(s.paid_s) AS paid_s
FROM `cc`.`agg_schedules` AS s
GROUP BY day, channel, skill_group, agent
