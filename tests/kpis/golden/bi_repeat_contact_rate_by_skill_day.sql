CREATE OR REPLACE VIEW `kpi`.`repeat_contact_rate_by_skill_day`
AS SELECT
    day AS period,
    nullIf(skill, '') AS skill,
    sum(repeat_contacts) AS numerator,
    sum(inbound_contacts) AS denominator,
    100.0 * numerator / denominator AS value
FROM `cc`.`agg_repeats_day_without_agent`
WHERE skill != ''
GROUP BY period, skill
HAVING denominator > 0
ORDER BY period, skill
