ALTER TABLE `cc`.`agg_resolutions_day`
DROP PARTITION ID '20260302'
