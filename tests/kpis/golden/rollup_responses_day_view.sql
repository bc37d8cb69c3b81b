CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`agg_responses_day_mv`
TO `cc`.`agg_responses_day`
AS SELECT
    toStartOfDay(s.hour) AS day,
    s.channel AS channel,
    s.skill AS skill,
    s.skill_group AS skill_group,
    s.agent AS agent,
    sum(s.replies) AS replies,
    sum(s.response_s) AS response_s,
    sum(s.first_replies) AS first_replies,
    sum(s.first_response_s) AS first_response_s
FROM `cc`.`agg_responses` AS s
GROUP BY day, channel, skill, skill_group, agent
