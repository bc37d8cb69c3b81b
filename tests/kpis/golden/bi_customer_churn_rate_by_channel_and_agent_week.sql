CREATE OR REPLACE VIEW `kpi`.`customer_churn_rate_by_channel_and_agent_week`
AS SELECT
    period,
    nullIf(channel, '') AS channel,
    nullIf(agent, '') AS agent,
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
                least(toDateTime64(period + toIntervalWeek(1), 3, 'UTC'), range_end) AS ends_at
            FROM (
                SELECT
                    range_start,
                    range_end,
                    toDateTime(toMonday(range_start), 'UTC') AS first,
                    toUInt64(greatest(0, intDiv(dateDiff('day', first, range_end), 7) + 2)) AS period_count
                FROM bounds
            )
            ARRAY JOIN arrayMap(n -> first + toIntervalWeek(n), range(period_count)) AS period
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
        ),
        contacted AS (
            SELECT DISTINCT
                customer_id,
                channel AS channel,
                ifNull(agent_id, '') AS agent,
                toStartOfHour(answered_at) AS answered_hour
            FROM `cc`.`contacts` FINAL
            WHERE answered_at IS NOT NULL
            AND customer_id IS NOT NULL
            AND answered_at >= (SELECT min(starts_at) FROM periods) - toIntervalDay(90)
            AND answered_at < (SELECT max(starts_at) FROM periods)
        ),
        cohorts AS (
            SELECT DISTINCT
                periods.period AS period,
                periods.starts_at AS starts_at,
                periods.ends_at AS ends_at,
                contacted.customer_id AS customer_id,
                contacted.channel AS channel,
                contacted.agent AS agent
            FROM periods
            CROSS JOIN contacted
            WHERE contacted.answered_hour >= periods.starts_at - toIntervalDay(90)
            AND contacted.answered_hour < periods.starts_at
            AND contacted.channel != ''
            AND contacted.agent != ''
        )
    SELECT
        cohort.period AS period,
        cohort.channel AS channel,
        cohort.agent AS agent,
        countIf(NOT ifNull(customers.churned_at > cohort.ends_at, 1)) AS numerator,
        count() AS denominator
    FROM cohorts AS cohort
    INNER JOIN customers ON customers.customer_id = cohort.customer_id
    WHERE customers.acquired_at <= cohort.starts_at
    AND ifNull(customers.churned_at > cohort.starts_at, 1)
    GROUP BY period, channel, agent
)
WHERE denominator > 0 AND numerator IS NOT NULL
ORDER BY period, channel, agent
