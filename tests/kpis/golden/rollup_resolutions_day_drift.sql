SELECT
    toDate(day) AS drift_day,
    count() AS groups
FROM (
    SELECT
        day,
        channel,
        skill,
        skill_group,
        agent,
        sum(derived_known) AS live_derived_known,
        sum(derived_resolved) AS live_derived_resolved
    FROM `cc`.`agg_resolutions_day`
    WHERE toDate(day) BETWEEN {first:Date} AND {last:Date}
    GROUP BY day, channel, skill, skill_group, agent
) AS live
FULL OUTER JOIN (
    SELECT
        toStartOfDay(hour) AS day,
        channel,
        skill,
        skill_group,
        agent,
        sum(derived_known) AS fresh_derived_known,
        sum(derived_resolved) AS fresh_derived_resolved
    FROM `cc`.`agg_resolutions`
    WHERE toDate(hour) BETWEEN {first:Date} AND {last:Date}
    GROUP BY day, channel, skill, skill_group, agent
) AS fresh
USING (day, channel, skill, skill_group, agent)
WHERE abs(live_derived_known - fresh_derived_known) > 1e-09 * greatest(abs(live_derived_known), abs(fresh_derived_known), 1)
    OR abs(live_derived_resolved - fresh_derived_resolved) > 1e-09 * greatest(abs(live_derived_resolved), abs(fresh_derived_resolved), 1)
GROUP BY drift_day
ORDER BY drift_day
