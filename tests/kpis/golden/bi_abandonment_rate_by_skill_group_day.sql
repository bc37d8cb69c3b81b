CREATE OR REPLACE VIEW `kpi`.`abandonment_rate_by_skill_group_day`
AS SELECT
    day AS period,
    nullIf(skill_group, '') AS skill_group,
    sum(abandoned) AS numerator,
    sum(offered) AS denominator,
    100.0 * numerator / denominator AS value
FROM `cc`.`agg_contacts_day_without_agent`
WHERE skill_group != ''
GROUP BY period, skill_group
HAVING denominator > 0
ORDER BY period, skill_group
