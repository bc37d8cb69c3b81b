INSERT INTO `cc`.`agg_costs_partition_recompute`
SELECT
    anchor_hour AS hour,
    dim_channel AS channel,
    sum(sign * part_service_cost) AS service_cost,
    sum(sign * part_acquisition_cost) AS acquisition_cost
FROM (
    SELECT
        toStartOfHour(anchor.2) AS anchor_hour,
        sign,
        channel AS dim_channel,
        if(anchor.1 = 'period', toFloat64(ifNull(if(scope = 'service', amount, 0), 0)), 0) AS part_service_cost,
        if(anchor.1 = 'period', toFloat64(ifNull(if(scope = 'acquisition', amount, 0), 0)), 0) AS part_acquisition_cost
    FROM (SELECT *, toInt8(1) AS sign FROM `cc`.`costs` FINAL)
    ARRAY JOIN [('period', period_start)] AS anchor
    WHERE anchor.2 IS NOT NULL AND (1) AND toYYYYMM(anchor.2) = {partition:UInt32}
)
GROUP BY hour, channel
