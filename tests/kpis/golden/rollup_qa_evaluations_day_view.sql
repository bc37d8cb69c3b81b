CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`agg_qa_evaluations_day_mv`
TO `cc`.`agg_qa_evaluations_day`
AS SELECT
    toStartOfDay(s.hour) AS day,
    s.channel AS channel,
    s.skill AS skill,
    s.skill_group AS skill_group,
    s.agent AS agent,
    sum(s.evaluations) AS evaluations,
    sum(s.score_pct) AS score_pct,
    sum(s.voice_evaluations) AS voice_evaluations,
    sum(s.voice_score_pct) AS voice_score_pct,
    sum(s.other_evaluations) AS other_evaluations,
    sum(s.other_score_pct) AS other_score_pct,
    sum(s.script_items_required) AS script_items_required,
    sum(s.script_items_met) AS script_items_met
FROM `cc`.`agg_qa_evaluations` AS s
GROUP BY day, channel, skill, skill_group, agent
