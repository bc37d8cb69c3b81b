SELECT
    toDate(hour) AS drift_day,
    count() AS groups
FROM (
    SELECT
        hour,
        channel,
        sum(acquired) AS live_acquired
    FROM `cc`.`agg_customers`
    WHERE toYYYYMM(hour) = {partition:UInt32}
    GROUP BY hour, channel
) AS live
FULL OUTER JOIN (
    SELECT
        hour,
        channel,
        sum(acquired) AS fresh_acquired
    FROM `cc`.`agg_customers_partition_recompute`
    WHERE toYYYYMM(hour) = {partition:UInt32}
    GROUP BY hour, channel
) AS fresh
USING (hour, channel)
WHERE abs(live_acquired - fresh_acquired) > 1e-09 * greatest(abs(live_acquired), abs(fresh_acquired), 1)
GROUP BY drift_day
ORDER BY drift_day
