SELECT
    toDate(hour) AS drift_day,
    count() AS groups
FROM (
    SELECT
        hour,
        channel,
        skill_group,
        agent,
        sum(available_s) AS live_available_s,
        sum(on_contact_s) AS live_on_contact_s,
        sum(acw_s) AS live_acw_s,
        sum(training_s) AS live_training_s,
        sum(meeting_s) AS live_meeting_s,
        sum(break_s) AS live_break_s
    FROM `cc`.`agg_agent_states`
    WHERE toYYYYMM(hour) = {partition:UInt32}
    GROUP BY hour, channel, skill_group, agent
) AS live
FULL OUTER JOIN (
    SELECT
        hour,
        channel,
        skill_group,
        agent,
        sum(available_s) AS fresh_available_s,
        sum(on_contact_s) AS fresh_on_contact_s,
        sum(acw_s) AS fresh_acw_s,
        sum(training_s) AS fresh_training_s,
        sum(meeting_s) AS fresh_meeting_s,
        sum(break_s) AS fresh_break_s
    FROM `cc`.`agg_agent_states_partition_recompute`
    WHERE toYYYYMM(hour) = {partition:UInt32}
    GROUP BY hour, channel, skill_group, agent
) AS fresh
USING (hour, channel, skill_group, agent)
WHERE abs(live_available_s - fresh_available_s) > 1e-09 * greatest(abs(live_available_s), abs(fresh_available_s), 1)
    OR abs(live_on_contact_s - fresh_on_contact_s) > 1e-09 * greatest(abs(live_on_contact_s), abs(fresh_on_contact_s), 1)
    OR abs(live_acw_s - fresh_acw_s) > 1e-09 * greatest(abs(live_acw_s), abs(fresh_acw_s), 1)
    OR abs(live_training_s - fresh_training_s) > 1e-09 * greatest(abs(live_training_s), abs(fresh_training_s), 1)
    OR abs(live_meeting_s - fresh_meeting_s) > 1e-09 * greatest(abs(live_meeting_s), abs(fresh_meeting_s), 1)
    OR abs(live_break_s - fresh_break_s) > 1e-09 * greatest(abs(live_break_s), abs(fresh_break_s), 1)
GROUP BY drift_day
ORDER BY drift_day
