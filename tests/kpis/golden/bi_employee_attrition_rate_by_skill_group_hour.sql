CREATE OR REPLACE VIEW `kpi`.`employee_attrition_rate_by_skill_group_hour`
AS SELECT
    period,
    nullIf(skill_group, '') AS skill_group,
    numerator,
    denominator,
    100.0 * numerator / denominator AS value
FROM (
    WITH
        bounds AS (
            SELECT
                ifNull(toDateTime64(toStartOfDay(minOrNull(hired_at)), 3, 'UTC'), now64(3, 'UTC')) AS range_start,
                now64(3, 'UTC') AS range_end
            FROM `cc`.`employees` FINAL
        ),
        periods AS (
            SELECT
                period,
                period AS period_key,
                greatest(toDateTime64(period, 3, 'UTC'), range_start) AS starts_at,
                least(toDateTime64(period + toIntervalHour(1), 3, 'UTC'), range_end) AS ends_at
            FROM (
                SELECT
                    range_start,
                    range_end,
                    toDateTime(toStartOfHour(range_start), 'UTC') AS first,
                    toUInt64(greatest(0, dateDiff('hour', first, range_end) + 2)) AS period_count
                FROM bounds
            )
            ARRAY JOIN arrayMap(n -> first + toIntervalHour(n), range(period_count)) AS period
            WHERE period < range_end
            AND range_start < range_end
        ),
        employees AS (
            SELECT
                ifNull(primary_channel, '') AS channel,
                ifNull(skill_group, '') AS skill_group,
                agent_id AS agent,
                hired_at,
                terminated_at
            FROM `cc`.`employees` FINAL
        ),
        period_days AS (
            SELECT
                period,
                starts_at,
                ends_at,
                days,
                day_number,
                first_day + toIntervalDay(day_number) AS day
            FROM (
                SELECT
                    period,
                    starts_at,
                    ends_at,
                    toDateTime64(toStartOfDay(starts_at), 3, 'UTC') AS first_day,
                    toUInt64(greatest(1, ceil((toUnixTimestamp64Milli(ends_at) - toUnixTimestamp64Milli(first_day)) / 86400000))) AS days
                FROM periods
            )
            ARRAY JOIN range(days) AS day_number
        )
    SELECT
        period_days.period AS period,
        employees.skill_group AS skill_group,
        countIf(day_number = 0 AND employees.terminated_at >= period_days.starts_at AND employees.terminated_at < period_days.ends_at) AS numerator,
        countIf(employees.hired_at <= period_days.day AND ifNull(employees.terminated_at >= period_days.day, 1)) / any(period_days.days) AS denominator
    FROM period_days
    CROSS JOIN employees
    GROUP BY period, skill_group
)
WHERE denominator > 0 AND numerator IS NOT NULL
ORDER BY period, skill_group
