CREATE OR REPLACE VIEW `kpi`.`employee_satisfaction_score_by_skill_group_month`
AS SELECT
    toDateTime(toStartOfMonth(day), 'UTC') AS period,
    nullIf(skill_group, '') AS skill_group,
    sum(esat_favourable) AS numerator,
    sum(esat_valid) AS denominator,
    100.0 * numerator / denominator AS value
FROM `cc`.`agg_surveys_day_without_agent`
WHERE skill_group != ''
GROUP BY period, skill_group
HAVING denominator > 0 AND denominator >= 5
ORDER BY period, skill_group
