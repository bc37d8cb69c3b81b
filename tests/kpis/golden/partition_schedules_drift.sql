SELECT
    toDate(hour) AS drift_day,
    count() AS groups
FROM (
    SELECT
        hour,
        channel,
        skill_group,
        agent,
        sum(paid_s) AS live_paid_s
    FROM `cc`.`agg_schedules`
    WHERE toYYYYMM(hour) = {partition:UInt32}
    GROUP BY hour, channel, skill_group, agent
) AS live
FULL OUTER JOIN (
    SELECT
        hour,
        channel,
        skill_group,
        agent,
        sum(paid_s) AS fresh_paid_s
    FROM `cc`.`agg_schedules_partition_recompute`
    WHERE toYYYYMM(hour) = {partition:UInt32}
    GROUP BY hour, channel, skill_group, agent
) AS fresh
USING (hour, channel, skill_group, agent)
WHERE abs(live_paid_s - fresh_paid_s) > 1e-09 * greatest(abs(live_paid_s), abs(fresh_paid_s), 1)
GROUP BY drift_day
ORDER BY drift_day
