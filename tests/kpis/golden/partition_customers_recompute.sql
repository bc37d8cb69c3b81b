INSERT INTO `cc`.`agg_customers_partition_recompute`
SELECT
    anchor_hour AS hour,
    dim_channel AS channel,
    sum(sign * part_acquired) AS acquired
FROM (
    SELECT
        toStartOfHour(anchor.2) AS anchor_hour,
        sign,
        ifNull(acquisition_channel, '') AS dim_channel,
        if(anchor.1 = 'acquired', toInt64(ifNull(1, 0)), 0) AS part_acquired
    FROM (SELECT *, toInt8(1) AS sign FROM `cc`.`customers` FINAL)
    ARRAY JOIN [('acquired', acquired_at)] AS anchor
    WHERE anchor.2 IS NOT NULL AND (1) AND toYYYYMM(anchor.2) = {partition:UInt32}
)
GROUP BY hour, channel
