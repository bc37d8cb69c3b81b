CREATE OR REPLACE VIEW `kpi`.`repeat_contact_rate_by_skill_day`
AS SELECT
    toStartOfDay(hour) AS period,
    nullIf(skill, '') AS skill,
    sum(repeat_contacts) AS numerator,
    sum(inbound_contacts) AS denominator,
    100.0 * numerator / denominator AS value
FROM `cc`.`agg_repeats`
WHERE skill != ''
GROUP BY period, skill
HAVING denominator > 0
ORDER BY period, skill
