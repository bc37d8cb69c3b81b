CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`agg_survey_invitations_hour_without_agent_mv`
TO `cc`.`agg_survey_invitations_hour_without_agent`
AS SELECT
    s.hour AS hour,
    s.channel AS channel,
    s.skill AS skill,
    s.skill_group AS skill_group,
    sum(s.surveys_sent) AS surveys_sent,
    sum(s.surveys_answered) AS surveys_answered
FROM `cc`.`agg_survey_invitations` AS s
GROUP BY hour, channel, skill, skill_group
