INSERT INTO `cc`.`agg_resolutions_day`
SELECT
    toStartOfDay(s.hour) AS day,
    s.channel AS channel,
    s.skill AS skill,
    s.skill_group AS skill_group,
    s.agent AS agent,
    sum(s.derived_known) AS derived_known,
    sum(s.derived_resolved) AS derived_resolved
FROM `cc`.`agg_resolutions` AS s
GROUP BY day, channel, skill, skill_group, agent
