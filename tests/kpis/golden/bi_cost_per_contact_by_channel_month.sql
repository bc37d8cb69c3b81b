CREATE OR REPLACE VIEW `kpi`.`cost_per_contact_by_channel_month`
AS SELECT
    toDateTime(toStartOfMonth(day), 'UTC') AS period,
    nullIf(channel, '') AS channel,
    sum(labour__labour_cost) + sum(costs__service_cost) AS numerator,
    sum(contacts__handled) AS denominator,
    1.0 * numerator / denominator AS value
FROM (
    SELECT
        day,
        channel,
        labour_cost AS labour__labour_cost,
        toFloat64(0) AS costs__service_cost,
        toInt64(0) AS contacts__handled
    FROM `cc`.`agg_labour_day_without_agent`
    UNION ALL
    SELECT
        day,
        channel,
        toFloat64(0) AS labour__labour_cost,
        service_cost AS costs__service_cost,
        toInt64(0) AS contacts__handled
    FROM `cc`.`agg_costs_day`
    UNION ALL
    SELECT
        day,
        channel,
        toFloat64(0) AS labour__labour_cost,
        toFloat64(0) AS costs__service_cost,
        handled AS contacts__handled
    FROM `cc`.`agg_contacts_day_without_agent`
)
WHERE channel != ''
GROUP BY period, channel
HAVING denominator > 0
ORDER BY period, channel
