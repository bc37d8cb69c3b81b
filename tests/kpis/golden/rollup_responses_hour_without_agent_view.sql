CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`agg_responses_hour_without_agent_mv`
TO `cc`.`agg_responses_hour_without_agent`
AS SELECT
    s.hour AS hour,
    s.channel AS channel,
    s.skill AS skill,
    s.skill_group AS skill_group,
    sum(s.replies) AS replies,
    sum(s.response_s) AS response_s,
    sum(s.first_replies) AS first_replies,
    sum(s.first_response_s) AS first_response_s
FROM `cc`.`agg_responses` AS s
GROUP BY hour, channel, skill, skill_group
