CREATE OR REPLACE VIEW `kpi`.`contacts_offered_all`
AS SELECT
    CAST(NULL AS Nullable(DateTime('UTC'))) AS period,
    sum(offered) AS numerator,
    numerator AS value
FROM `cc`.`agg_contacts_day_without_agent`
GROUP BY period
HAVING numerator != 0
ORDER BY period
