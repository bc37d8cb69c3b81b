INSERT INTO `cc`.`agg_contacts_day_without_agent`
SELECT
    toStartOfDay(s.hour) AS day,
    s.channel AS channel,
    s.skill AS skill,
    s.skill_group AS skill_group,
    sum(s.offered) AS offered,
    sum(s.abandoned) AS abandoned,
    sum(s.abandoned_short) AS abandoned_short,
    sum(s.abandon_wait_s) AS abandon_wait_s,
    sum(s.answered_of_offered) AS answered_of_offered,
    sum(s.answered_in_threshold) AS answered_in_threshold,
    sum(s.answered) AS answered,
    sum(s.answer_wait_s) AS answer_wait_s,
    sum(s.handled) AS handled,
    sum(s.talk_s) AS talk_s,
    sum(s.hold_s) AS hold_s,
    sum(s.acw_s) AS acw_s,
    sum(s.held) AS held,
    sum(s.transferred) AS transferred,
    sum(s.escalated) AS escalated,
    sum(s.fcr_known) AS fcr_known,
    sum(s.fcr_resolved) AS fcr_resolved
FROM `cc`.`agg_contacts` AS s
GROUP BY day, channel, skill, skill_group
