CREATE OR REPLACE VIEW `kpi`.`customer_lifetime_value_by_channel_month`
AS SELECT
    period,
    nullIf(channel, '') AS channel,
    numerator,
    denominator,
    1.0 * numerator / denominator AS value
FROM (
    WITH
        bounds AS (
            SELECT
                ifNull(toDateTime64(toStartOfDay(minOrNull(occurred_at)), 3, 'UTC'), now64(3, 'UTC')) AS range_start,
                now64(3, 'UTC') AS range_end
            FROM `cc`.`revenue` FINAL
        ),
        periods AS (
            SELECT
                period,
                period AS period_key,
                greatest(toDateTime64(period, 3, 'UTC'), range_start) AS starts_at,
                least(toDateTime64(period + toIntervalMonth(1), 3, 'UTC'), range_end) AS ends_at
            FROM (
                SELECT
                    range_start,
                    range_end,
                    toDateTime(toStartOfMonth(range_start), 'UTC') AS first,
                    toUInt64(greatest(0, dateDiff('month', first, range_end) + 2)) AS period_count
                FROM bounds
            )
            ARRAY JOIN arrayMap(n -> first + toIntervalMonth(n), range(period_count)) AS period
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
        payments AS (
            SELECT
                toDateTime(toStartOfMonth(occurred_at), 'UTC') AS period_key,
                acquisition_channel AS channel,
                revenue.customer_id AS customer_id,
                revenue.amount AS amount,
                revenue.gross_margin AS gross_margin
            FROM `cc`.`revenue` AS revenue FINAL
            LEFT JOIN customers ON customers.customer_id = revenue.customer_id
            CROSS JOIN bounds
            WHERE occurred_at >= range_start
            AND occurred_at < range_end
        ),
        paid AS (
            SELECT
                period_key,
                channel,
                sum(amount) / uniqExact(customer_id) * sum(amount * ifNull(gross_margin, 0)) / nullIf(sumIf(amount, gross_margin IS NOT NULL), 0) AS margin_per_customer
            FROM payments
            WHERE channel != ''
            GROUP BY period_key, channel
        ),
        churned AS (
            SELECT
                cohort.period_key AS period_key,
                customers.acquisition_channel AS channel,
                countIf(NOT ifNull(customers.churned_at > cohort.ends_at, 1)) / count() AS churn
            FROM periods AS cohort
            CROSS JOIN customers
            WHERE customers.acquired_at <= cohort.starts_at
            AND ifNull(customers.churned_at > cohort.starts_at, 1)
            GROUP BY period_key, channel
        ),
        lifetime AS (
            SELECT
                paid.period_key AS period_key,
                paid.channel AS channel,
                paid.margin_per_customer AS margin_per_customer,
                churned.churn AS churn
            FROM paid
            INNER JOIN churned USING (period_key, channel)
        )
    SELECT
        periods.period AS period,
        lifetime.channel AS channel,
        lifetime.margin_per_customer AS numerator,
        lifetime.churn AS denominator
    FROM lifetime
    INNER JOIN periods USING (period_key)
)
WHERE denominator > 0 AND numerator IS NOT NULL
ORDER BY period, channel
