CREATE OR REPLACE VIEW `kpi`.`customer_retention_rate_day`
AS SELECT
    period,
    numerator,
    denominator,
    100.0 * numerator / denominator AS value
FROM (
    WITH
        bounds AS (
            SELECT
                ifNull(toDateTime64(toStartOfDay(minOrNull(acquired_at)), 3, 'UTC'), now64(3, 'UTC')) AS range_start,
                now64(3, 'UTC') AS range_end
            FROM `cc`.`customers` FINAL
        ),
        periods AS (
            SELECT
                period,
                period AS period_key,
                greatest(toDateTime64(period, 3, 'UTC'), range_start) AS starts_at,
                least(toDateTime64(period + toIntervalDay(1), 3, 'UTC'), range_end) AS ends_at
            FROM (
                SELECT
                    range_start,
                    range_end,
                    toDateTime(toStartOfDay(range_start), 'UTC') AS first,
                    toUInt64(greatest(0, dateDiff('day', first, range_end) + 2)) AS period_count
                FROM bounds
            )
            ARRAY JOIN arrayMap(n -> first + toIntervalDay(n), range(period_count)) AS period
            WHERE period < range_end
            AND range_start < range_end
        ),
        customers AS (
            SELECT
                customer_id,
                acquired_at,
                churned_at,
                ifNull(acquisition_channel, '') AS acquisition_channel
            FROM `cc`.`customers` FINAL
            WHERE acquired_at IS NOT NULL
        )
    SELECT
        cohort.period AS period,
        countIf(ifNull(customers.churned_at > cohort.ends_at, 1)) AS numerator,
        count() AS denominator
    FROM periods AS cohort
    CROSS JOIN customers
    WHERE customers.acquired_at <= cohort.starts_at
    AND ifNull(customers.churned_at > cohort.starts_at, 1)
    GROUP BY period
)
WHERE denominator > 0 AND numerator IS NOT NULL
ORDER BY period
