CREATE OR REPLACE VIEW `kpi`.`cost_per_acquisition_all`
AS SELECT
    CAST(NULL AS Nullable(DateTime('UTC'))) AS period,
    sum(costs__acquisition_cost) AS numerator,
    sum(customers__acquired) AS denominator,
    1.0 * numerator / denominator AS value
FROM (
    SELECT
        day,
        acquisition_cost AS costs__acquisition_cost,
        toInt64(0) AS customers__acquired
    FROM `cc`.`agg_costs_day`
    UNION ALL
    SELECT
        day,
        toFloat64(0) AS costs__acquisition_cost,
        acquired AS customers__acquired
    FROM `cc`.`agg_customers_day`
)
GROUP BY period
HAVING denominator > 0
ORDER BY period
