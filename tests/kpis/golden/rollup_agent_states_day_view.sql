CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`agg_agent_states_day_mv`
TO `cc`.`agg_agent_states_day`
AS SELECT
    toStartOfDay(s.hour) AS day,
    s.channel AS channel,
    s.skill_group AS skill_group,
    s.agent AS agent,
    sum(s.available_s) AS available_s,
    sum(s.on_contact_s) AS on_contact_s,
    sum(s.acw_s) AS acw_s,
    sum(s.training_s) AS training_s,
    sum(s.meeting_s) AS meeting_s,
    sum(s.break_s) AS break_s
FROM `cc`.`agg_agent_states` AS s
GROUP BY day, channel, skill_group, agent
