CREATE OR REPLACE VIEW `kpi`.`average_speed_of_answer_by_agent_hour`
AS SELECT
    hour AS period,
    nullIf(agent, '') AS agent,
    sum(answer_wait_s) AS numerator,
    sum(answered) AS denominator,
    1.0 * numerator / denominator AS value
FROM `cc`.`agg_contacts`
WHERE agent != ''
GROUP BY period, agent
HAVING denominator > 0
ORDER BY period, agent
