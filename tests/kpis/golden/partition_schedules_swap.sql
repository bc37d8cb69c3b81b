ALTER TABLE `cc`.`agg_schedules`
REPLACE PARTITION ID '202601' FROM `cc`.`agg_schedules_partition_recompute`
