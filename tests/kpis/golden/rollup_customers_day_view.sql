CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`agg_customers_day_mv`
TO `cc`.`agg_customers_day`
AS SELECT
    toStartOfDay(s.hour) AS day,
    s.channel AS channel,
    sum(s.acquired) AS acquired
FROM `cc`.`agg_customers` AS s
GROUP BY day, channel
