CREATE OR REPLACE VIEW `kpi`.`schedule_adherence_rate_by_channel_and_agent_hour`
AS SELECT
    hour AS period,
    nullIf(channel, '') AS channel,
    nullIf(agent, '') AS agent,
    sum(adherent_s) AS numerator,
    sum(scheduled_s) AS denominator,
    100.0 * numerator / denominator AS value
FROM `cc`.`agg_adherence`
WHERE channel != '' AND agent != ''
GROUP BY period, channel, agent
HAVING denominator > 0
ORDER BY period, channel, agent
