SELECT
    toDate(hour) AS drift_day,
    count() AS groups
FROM (
    SELECT
        hour,
        channel,
        skill,
        skill_group,
        agent,
        sum(csat_valid) AS live_csat_valid,
        sum(csat_top_two) AS live_csat_top_two,
        sum(csat_scored) AS live_csat_scored,
        sum(csat_score) AS live_csat_score,
        sum(nps_valid) AS live_nps_valid,
        sum(nps_promoters) AS live_nps_promoters,
        sum(nps_detractors) AS live_nps_detractors,
        sum(ces_valid) AS live_ces_valid,
        sum(ces_agree) AS live_ces_agree,
        sum(ces_score) AS live_ces_score,
        sum(esat_valid) AS live_esat_valid,
        sum(esat_favourable) AS live_esat_favourable,
        sum(engagement_valid) AS live_engagement_valid,
        sum(engagement_pct) AS live_engagement_pct
    FROM `cc`.`agg_surveys`
    WHERE toYYYYMM(hour) = {partition:UInt32}
    GROUP BY hour, channel, skill, skill_group, agent
) AS live
FULL OUTER JOIN (
    SELECT
        hour,
        channel,
        skill,
        skill_group,
        agent,
        sum(csat_valid) AS fresh_csat_valid,
        sum(csat_top_two) AS fresh_csat_top_two,
        sum(csat_scored) AS fresh_csat_scored,
        sum(csat_score) AS fresh_csat_score,
        sum(nps_valid) AS fresh_nps_valid,
        sum(nps_promoters) AS fresh_nps_promoters,
        sum(nps_detractors) AS fresh_nps_detractors,
        sum(ces_valid) AS fresh_ces_valid,
        sum(ces_agree) AS fresh_ces_agree,
        sum(ces_score) AS fresh_ces_score,
        sum(esat_valid) AS fresh_esat_valid,
        sum(esat_favourable) AS fresh_esat_favourable,
        sum(engagement_valid) AS fresh_engagement_valid,
        sum(engagement_pct) AS fresh_engagement_pct
    FROM `cc`.`agg_surveys_partition_recompute`
    WHERE toYYYYMM(hour) = {partition:UInt32}
    GROUP BY hour, channel, skill, skill_group, agent
) AS fresh
USING (hour, channel, skill, skill_group, agent)
WHERE abs(live_csat_valid - fresh_csat_valid) > 1e-09 * greatest(abs(live_csat_valid), abs(fresh_csat_valid), 1)
    OR abs(live_csat_top_two - fresh_csat_top_two) > 1e-09 * greatest(abs(live_csat_top_two), abs(fresh_csat_top_two), 1)
    OR abs(live_csat_scored - fresh_csat_scored) > 1e-09 * greatest(abs(live_csat_scored), abs(fresh_csat_scored), 1)
    OR abs(live_csat_score - fresh_csat_score) > 1e-09 * greatest(abs(live_csat_score), abs(fresh_csat_score), 1)
    OR abs(live_nps_valid - fresh_nps_valid) > 1e-09 * greatest(abs(live_nps_valid), abs(fresh_nps_valid), 1)
    OR abs(live_nps_promoters - fresh_nps_promoters) > 1e-09 * greatest(abs(live_nps_promoters), abs(fresh_nps_promoters), 1)
    OR abs(live_nps_detractors - fresh_nps_detractors) > 1e-09 * greatest(abs(live_nps_detractors), abs(fresh_nps_detractors), 1)
    OR abs(live_ces_valid - fresh_ces_valid) > 1e-09 * greatest(abs(live_ces_valid), abs(fresh_ces_valid), 1)
    OR abs(live_ces_agree - fresh_ces_agree) > 1e-09 * greatest(abs(live_ces_agree), abs(fresh_ces_agree), 1)
    OR abs(live_ces_score - fresh_ces_score) > 1e-09 * greatest(abs(live_ces_score), abs(fresh_ces_score), 1)
    OR abs(live_esat_valid - fresh_esat_valid) > 1e-09 * greatest(abs(live_esat_valid), abs(fresh_esat_valid), 1)
    OR abs(live_esat_favourable - fresh_esat_favourable) > 1e-09 * greatest(abs(live_esat_favourable), abs(fresh_esat_favourable), 1)
    OR abs(live_engagement_valid - fresh_engagement_valid) > 1e-09 * greatest(abs(live_engagement_valid), abs(fresh_engagement_valid), 1)
    OR abs(live_engagement_pct - fresh_engagement_pct) > 1e-09 * greatest(abs(live_engagement_pct), abs(fresh_engagement_pct), 1)
GROUP BY drift_day
ORDER BY drift_day
