SELECT
    toDate(hour) AS drift_day,
    count() AS groups
FROM (
    SELECT
        hour,
        channel,
        sum(service_cost) AS live_service_cost,
        sum(acquisition_cost) AS live_acquisition_cost
    FROM `cc`.`agg_costs`
    WHERE toYYYYMM(hour) = {partition:UInt32}
    GROUP BY hour, channel
) AS live
FULL OUTER JOIN (
    SELECT
        hour,
        channel,
        sum(service_cost) AS fresh_service_cost,
        sum(acquisition_cost) AS fresh_acquisition_cost
    FROM `cc`.`agg_costs_partition_recompute`
    WHERE toYYYYMM(hour) = {partition:UInt32}
    GROUP BY hour, channel
) AS fresh
USING (hour, channel)
WHERE abs(live_service_cost - fresh_service_cost) > 1e-09 * greatest(abs(live_service_cost), abs(fresh_service_cost), 1)
    OR abs(live_acquisition_cost - fresh_acquisition_cost) > 1e-09 * greatest(abs(live_acquisition_cost), abs(fresh_acquisition_cost), 1)
GROUP BY drift_day
ORDER BY drift_day
