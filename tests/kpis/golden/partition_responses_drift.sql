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
        sum(replies) AS live_replies,
        sum(response_s) AS live_response_s,
        sum(first_replies) AS live_first_replies,
        sum(first_response_s) AS live_first_response_s
    FROM `cc`.`agg_responses`
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
        sum(replies) AS fresh_replies,
        sum(response_s) AS fresh_response_s,
        sum(first_replies) AS fresh_first_replies,
        sum(first_response_s) AS fresh_first_response_s
    FROM `cc`.`agg_responses_partition_recompute`
    WHERE toYYYYMM(hour) = {partition:UInt32}
    GROUP BY hour, channel, skill, skill_group, agent
) AS fresh
USING (hour, channel, skill, skill_group, agent)
WHERE abs(live_replies - fresh_replies) > 1e-09 * greatest(abs(live_replies), abs(fresh_replies), 1)
    OR abs(live_response_s - fresh_response_s) > 1e-09 * greatest(abs(live_response_s), abs(fresh_response_s), 1)
    OR abs(live_first_replies - fresh_first_replies) > 1e-09 * greatest(abs(live_first_replies), abs(fresh_first_replies), 1)
    OR abs(live_first_response_s - fresh_first_response_s) > 1e-09 * greatest(abs(live_first_response_s), abs(fresh_first_response_s), 1)
GROUP BY drift_day
ORDER BY drift_day
