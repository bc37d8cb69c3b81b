CREATE MATERIALIZED VIEW IF NOT EXISTS `cc`.`agg_costs_day_mv`
TO `cc`.`agg_costs_day`
AS SELECT
    toStartOfDay(s.hour) AS day,
    s.channel AS channel,
    sum(s.service_cost) AS service_cost,
    sum(s.acquisition_cost) AS acquisition_cost
FROM `cc`.`agg_costs` AS s
GROUP BY day, channel
