CREATE OR REPLACE VIEW `kpi`.`clv_to_cac_ratio_all`
AS SELECT
    period,
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
                CAST(NULL AS Nullable(DateTime('UTC'))) AS period,
                toDateTime(0, 'UTC') AS period_key,
                range_start AS starts_at,
                range_end AS ends_at
            FROM bounds
            WHERE range_start < range_end
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
                toDateTime(0, 'UTC') AS period_key,
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
                sum(amount) / uniqExact(customer_id) * sum(amount * ifNull(gross_margin, 0)) / nullIf(sumIf(amount, gross_margin IS NOT NULL), 0) AS margin_per_customer
            FROM payments
            GROUP BY period_key
        ),
        churned AS (
            SELECT
                cohort.period_key AS period_key,
                countIf(NOT ifNull(customers.churned_at > cohort.ends_at, 1)) / count() AS churn
            FROM periods AS cohort
            CROSS JOIN customers
            WHERE customers.acquired_at <= cohort.starts_at
            AND ifNull(customers.churned_at > cohort.starts_at, 1)
            GROUP BY period_key
        ),
        lifetime AS (
            SELECT
                paid.period_key AS period_key,
                paid.margin_per_customer AS margin_per_customer,
                churned.churn AS churn
            FROM paid
            INNER JOIN churned USING (period_key)
        ),
        acquisition AS (
            SELECT
                period_key,
                sum(spend) / sum(acquired) AS cost_per_acquisition
            FROM (
                SELECT toDateTime(0, 'UTC') AS period_key, acquisition_cost AS spend, toInt64(0) AS acquired
                FROM `cc`.`agg_costs`, bounds
                WHERE hour >= range_start AND hour < range_end
                UNION ALL
                SELECT toDateTime(0, 'UTC') AS period_key, 0.0 AS spend, acquired
                FROM `cc`.`agg_customers`, bounds
                WHERE hour >= range_start AND hour < range_end
            )
            GROUP BY period_key
            HAVING sum(acquired) > 0
        )
    SELECT
        periods.period AS period,
        lifetime.margin_per_customer / lifetime.churn AS numerator,
        acquisition.cost_per_acquisition AS denominator
    FROM lifetime
    INNER JOIN acquisition USING (period_key)
    INNER JOIN periods USING (period_key)
    WHERE lifetime.churn > 0
)
WHERE denominator > 0 AND numerator IS NOT NULL
ORDER BY period
