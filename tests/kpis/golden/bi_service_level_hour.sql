CREATE OR REPLACE VIEW `kpi`.`service_level_hour`
AS SELECT
    hour AS period,
    sum(answered_in_threshold) AS numerator,
    sum(answered_of_offered) + sum(abandoned) - sum(abandoned_short) AS denominator,
    100.0 * numerator / denominator AS value
FROM `cc`.`agg_contacts_hour_without_agent`
GROUP BY period
HAVING denominator > 0
ORDER BY period
