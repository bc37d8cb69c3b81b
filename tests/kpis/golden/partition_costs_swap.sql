ALTER TABLE `cc`.`agg_costs`
REPLACE PARTITION ID '202601' FROM `cc`.`agg_costs_partition_recompute`
