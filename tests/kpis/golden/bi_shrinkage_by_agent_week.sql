CREATE OR REPLACE VIEW `kpi`.`shrinkage_by_agent_week`
AS SELECT
    toDateTime(toMonday(day), 'UTC') AS period,
    nullIf(agent, '') AS agent,
    sum(schedules__paid_s) - sum(agent_states__available_s) - sum(agent_states__on_contact_s) - sum(agent_states__acw_s) AS numerator,
    sum(schedules__paid_s) AS denominator,
    100.0 * numerator / denominator AS value
FROM (
    SELECT
        day,
        agent,
        paid_s AS schedules__paid_s,
        toFloat64(0) AS agent_states__available_s,
        toFloat64(0) AS agent_states__on_contact_s,
        toFloat64(0) AS agent_states__acw_s
    FROM `cc`.`agg_schedules_day`
    UNION ALL
    SELECT
        day,
        agent,
        toFloat64(0) AS schedules__paid_s,
        available_s AS agent_states__available_s,
        on_contact_s AS agent_states__on_contact_s,
        acw_s AS agent_states__acw_s
    FROM `cc`.`agg_agent_states_day`
)
WHERE agent != ''
GROUP BY period, agent
HAVING denominator > 0
ORDER BY period, agent
