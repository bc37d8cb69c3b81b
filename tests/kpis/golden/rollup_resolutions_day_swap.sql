ALTER TABLE `cc`.`agg_resolutions_day`
REPLACE PARTITION ID '20260302' FROM `cc`.`agg_resolutions_day_rebuild`
