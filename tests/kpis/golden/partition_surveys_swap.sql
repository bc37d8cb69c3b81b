ALTER TABLE `cc`.`agg_surveys`
REPLACE PARTITION ID '202601' FROM `cc`.`agg_surveys_partition_recompute`
