CREATE OR REPLACE VIEW `kpi`.`nps_week`
AS SELECT
    toDateTime(toMonday(day), 'UTC') AS period,
    sum(nps_promoters) - sum(nps_detractors) AS numerator,
    sum(nps_valid) AS denominator,
    100.0 * numerator / denominator AS value
FROM `cc`.`agg_surveys_day_without_agent`
GROUP BY period
HAVING denominator > 0
ORDER BY period
