CREATE OR REPLACE VIEW `kpi`.`service_level_by_channel_and_skill_hour`
AS SELECT
    hour AS period,
    nullIf(channel, '') AS channel,
    nullIf(skill, '') AS skill,
    sum(answered_in_threshold) AS numerator,
    sum(answered_of_offered) + sum(abandoned) - sum(abandoned_short) AS denominator,
    100.0 * numerator / denominator AS value
FROM `cc`.`agg_contacts_hour_without_agent`
WHERE channel != '' AND skill != ''
GROUP BY period, channel, skill
HAVING denominator > 0
ORDER BY period, channel, skill
