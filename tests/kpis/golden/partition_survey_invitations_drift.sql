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
        sum(surveys_sent) AS live_surveys_sent,
        sum(surveys_answered) AS live_surveys_answered
    FROM `cc`.`agg_survey_invitations`
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
        sum(surveys_sent) AS fresh_surveys_sent,
        sum(surveys_answered) AS fresh_surveys_answered
    FROM `cc`.`agg_survey_invitations_partition_recompute`
    WHERE toYYYYMM(hour) = {partition:UInt32}
    GROUP BY hour, channel, skill, skill_group, agent
) AS fresh
USING (hour, channel, skill, skill_group, agent)
WHERE abs(live_surveys_sent - fresh_surveys_sent) > 1e-09 * greatest(abs(live_surveys_sent), abs(fresh_surveys_sent), 1)
    OR abs(live_surveys_answered - fresh_surveys_answered) > 1e-09 * greatest(abs(live_surveys_answered), abs(fresh_surveys_answered), 1)
GROUP BY drift_day
ORDER BY drift_day
