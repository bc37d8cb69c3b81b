CREATE OR REPLACE VIEW `kpi`.`occupancy_rate_by_skill_group_day`
AS SELECT
    day AS period,
    nullIf(skill_group, '') AS skill_group,
    sum(on_contact_s) + sum(acw_s) AS numerator,
    sum(on_contact_s) + sum(acw_s) + sum(available_s) AS denominator,
    100.0 * numerator / denominator AS value
FROM `cc`.`agg_agent_states_day_without_agent`
WHERE skill_group != ''
GROUP BY period, skill_group
HAVING denominator > 0
ORDER BY period, skill_group
