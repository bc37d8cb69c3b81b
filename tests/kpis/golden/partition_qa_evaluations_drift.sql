SELECT
    toDate(hour) AS drift_day,
    count() AS groups
FROM (
    SELECT
        hour,
        channel,
        skill,
        skill_group,
        agent,
        sum(evaluations) AS live_evaluations,
        sum(score_pct) AS live_score_pct,
        sum(voice_evaluations) AS live_voice_evaluations,
        sum(voice_score_pct) AS live_voice_score_pct,
        sum(other_evaluations) AS live_other_evaluations,
        sum(other_score_pct) AS live_other_score_pct,
        sum(script_items_required) AS live_script_items_required,
        sum(script_items_met) AS live_script_items_met
    FROM `cc`.`agg_qa_evaluations`
    WHERE toYYYYMM(hour) = {partition:UInt32}
    GROUP BY hour, channel, skill, skill_group, agent
) AS live
FULL OUTER JOIN (
    SELECT
        hour,
        channel,
        skill,
        skill_group,
        agent,
        sum(evaluations) AS fresh_evaluations,
        sum(score_pct) AS fresh_score_pct,
        sum(voice_evaluations) AS fresh_voice_evaluations,
        sum(voice_score_pct) AS fresh_voice_score_pct,
        sum(other_evaluations) AS fresh_other_evaluations,
        sum(other_score_pct) AS fresh_other_score_pct,
        sum(script_items_required) AS fresh_script_items_required,
        sum(script_items_met) AS fresh_script_items_met
    FROM `cc`.`agg_qa_evaluations_partition_recompute`
    WHERE toYYYYMM(hour) = {partition:UInt32}
    GROUP BY hour, channel, skill, skill_group, agent
) AS fresh
USING (hour, channel, skill, skill_group, agent)
WHERE abs(live_evaluations - fresh_evaluations) > 1e-09 * greatest(abs(live_evaluations), abs(fresh_evaluations), 1)
    OR abs(live_score_pct - fresh_score_pct) > 1e-09 * greatest(abs(live_score_pct), abs(fresh_score_pct), 1)
    OR abs(live_voice_evaluations - fresh_voice_evaluations) > 1e-09 * greatest(abs(live_voice_evaluations), abs(fresh_voice_evaluations), 1)
    OR abs(live_voice_score_pct - fresh_voice_score_pct) > 1e-09 * greatest(abs(live_voice_score_pct), abs(fresh_voice_score_pct), 1)
    OR abs(live_other_evaluations - fresh_other_evaluations) > 1e-09 * greatest(abs(live_other_evaluations), abs(fresh_other_evaluations), 1)
    OR abs(live_other_score_pct - fresh_other_score_pct) > 1e-09 * greatest(abs(live_other_score_pct), abs(fresh_other_score_pct), 1)
    OR abs(live_script_items_required - fresh_script_items_required) > 1e-09 * greatest(abs(live_script_items_required), abs(fresh_script_items_required), 1)
    OR abs(live_script_items_met - fresh_script_items_met) > 1e-09 * greatest(abs(live_script_items_met), abs(fresh_script_items_met), 1)
GROUP BY drift_day
ORDER BY drift_day
