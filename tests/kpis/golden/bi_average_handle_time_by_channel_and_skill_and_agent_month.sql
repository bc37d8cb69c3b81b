CREATE OR REPLACE VIEW `kpi`.`average_handle_time_by_channel_and_skill_and_agent_month`
AS SELECT
    toDateTime(toStartOfMonth(day), 'UTC') AS period,
    nullIf(channel, '') AS channel,
    nullIf(skill, '') AS skill,
    nullIf(agent, '') AS agent,
    sum(talk_s) + sum(hold_s) + sum(acw_s) AS numerator,
    sum(handled) AS denominator,
    1.0 * numerator / denominator AS value
FROM `cc`.`agg_contacts_day`
WHERE channel != '' AND skill != '' AND agent != ''
GROUP BY period, channel, skill, agent
HAVING denominator > 0
ORDER BY period, channel, skill, agent
