CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`agg_survey_invitations_day_without_agent_mv`
TO `cc`.`agg_survey_invitations_day_without_agent`
AS SELECT
    toStartOfDay(s.hour) AS day,
    s.channel AS channel,
    s.skill AS skill,
    s.skill_group AS skill_group,
    sum(s.surveys_sent) AS surveys_sent,
    sum(s.surveys_answered) AS surveys_answered
FROM `cc`.`agg_survey_invitations` AS s
GROUP BY day, channel, skill, skill_group
