CREATE OR REPLACE VIEW `kpi`.`average_handle_time_by_agent_day`
AS SELECT
    day AS period,
    nullIf(agent, '') AS agent,
    sum(talk_s) + sum(hold_s) + sum(acw_s) AS numerator,
    sum(handled) AS denominator,
    1.0 * numerator / denominator AS value
FROM `cc`.`agg_contacts_day_without_skill`
WHERE agent != ''
GROUP BY period, agent
HAVING denominator > 0
ORDER BY period, agent
