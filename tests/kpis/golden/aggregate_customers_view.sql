CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`agg_customers_mv`
TO `cc`.`agg_customers`
AS SELECT
    anchor_hour AS hour,
    dim_channel AS channel,
    sum(sign * part_acquired) AS acquired
FROM (
    SELECT
        toStartOfHour(anchor.2) AS anchor_hour,
        sign,
        ifNull(acquisition_channel, '') AS dim_channel,
        if(anchor.1 = 'acquired', toInt64(ifNull(1, 0)), 0) AS part_acquired
    FROM `cc`.`customers_changes`
    ARRAY JOIN [('acquired', acquired_at)] AS anchor
    WHERE anchor.2 IS NOT NULL AND (1)
)
GROUP BY hour, channel
