SELECT
    toDate(day) AS drift_day,
    count() AS groups
FROM (
    SELECT
        day,
        channel,
        skill,
        skill_group,
        sum(offered) AS live_offered,
        sum(abandoned) AS live_abandoned,
        sum(abandoned_short) AS live_abandoned_short,
        sum(abandon_wait_s) AS live_abandon_wait_s,
        sum(answered_of_offered) AS live_answered_of_offered,
        sum(answered_in_threshold) AS live_answered_in_threshold,
        sum(answered) AS live_answered,
        sum(answer_wait_s) AS live_answer_wait_s,
        sum(handled) AS live_handled,
        sum(talk_s) AS live_talk_s,
        sum(hold_s) AS live_hold_s,
        sum(acw_s) AS live_acw_s,
        sum(held) AS live_held,
        sum(transferred) AS live_transferred,
        sum(escalated) AS live_escalated,
        sum(fcr_known) AS live_fcr_known,
        sum(fcr_resolved) AS live_fcr_resolved
    FROM `cc`.`agg_contacts_day_without_agent`
    WHERE toDate(day) BETWEEN {first:Date} AND {last:Date}
    GROUP BY day, channel, skill, skill_group
) AS live
FULL OUTER JOIN (
    SELECT
        toStartOfDay(hour) AS day,
        channel,
        skill,
        skill_group,
        sum(offered) AS fresh_offered,
        sum(abandoned) AS fresh_abandoned,
        sum(abandoned_short) AS fresh_abandoned_short,
        sum(abandon_wait_s) AS fresh_abandon_wait_s,
        sum(answered_of_offered) AS fresh_answered_of_offered,
        sum(answered_in_threshold) AS fresh_answered_in_threshold,
        sum(answered) AS fresh_answered,
        sum(answer_wait_s) AS fresh_answer_wait_s,
        sum(handled) AS fresh_handled,
        sum(talk_s) AS fresh_talk_s,
        sum(hold_s) AS fresh_hold_s,
        sum(acw_s) AS fresh_acw_s,
        sum(held) AS fresh_held,
        sum(transferred) AS fresh_transferred,
        sum(escalated) AS fresh_escalated,
        sum(fcr_known) AS fresh_fcr_known,
        sum(fcr_resolved) AS fresh_fcr_resolved
    FROM `cc`.`agg_contacts`
    WHERE toDate(hour) BETWEEN {first:Date} AND {last:Date}
    GROUP BY day, channel, skill, skill_group
) AS fresh
USING (day, channel, skill, skill_group)
WHERE abs(live_offered - fresh_offered) > 1e-09 * greatest(abs(live_offered), abs(fresh_offered), 1)
    OR abs(live_abandoned - fresh_abandoned) > 1e-09 * greatest(abs(live_abandoned), abs(fresh_abandoned), 1)
    OR abs(live_abandoned_short - fresh_abandoned_short) > 1e-09 * greatest(abs(live_abandoned_short), abs(fresh_abandoned_short), 1)
    OR abs(live_abandon_wait_s - fresh_abandon_wait_s) > 1e-09 * greatest(abs(live_abandon_wait_s), abs(fresh_abandon_wait_s), 1)
    OR abs(live_answered_of_offered - fresh_answered_of_offered) > 1e-09 * greatest(abs(live_answered_of_offered), abs(fresh_answered_of_offered), 1)
    OR abs(live_answered_in_threshold - fresh_answered_in_threshold) > 1e-09 * greatest(abs(live_answered_in_threshold), abs(fresh_answered_in_threshold), 1)
    OR abs(live_answered - fresh_answered) > 1e-09 * greatest(abs(live_answered), abs(fresh_answered), 1)
    OR abs(live_answer_wait_s - fresh_answer_wait_s) > 1e-09 * greatest(abs(live_answer_wait_s), abs(fresh_answer_wait_s), 1)
    OR abs(live_handled - fresh_handled) > 1e-09 * greatest(abs(live_handled), abs(fresh_handled), 1)
    OR abs(live_talk_s - fresh_talk_s) > 1e-09 * greatest(abs(live_talk_s), abs(fresh_talk_s), 1)
    OR abs(live_hold_s - fresh_hold_s) > 1e-09 * greatest(abs(live_hold_s), abs(fresh_hold_s), 1)
    OR abs(live_acw_s - fresh_acw_s) > 1e-09 * greatest(abs(live_acw_s), abs(fresh_acw_s), 1)
    OR abs(live_held - fresh_held) > 1e-09 * greatest(abs(live_held), abs(fresh_held), 1)
    OR abs(live_transferred - fresh_transferred) > 1e-09 * greatest(abs(live_transferred), abs(fresh_transferred), 1)
    OR abs(live_escalated - fresh_escalated) > 1e-09 * greatest(abs(live_escalated), abs(fresh_escalated), 1)
    OR abs(live_fcr_known - fresh_fcr_known) > 1e-09 * greatest(abs(live_fcr_known), abs(fresh_fcr_known), 1)
    OR abs(live_fcr_resolved - fresh_fcr_resolved) > 1e-09 * greatest(abs(live_fcr_resolved), abs(fresh_fcr_resolved), 1)
GROUP BY drift_day
ORDER BY drift_day
