ALTER TABLE `cc`.`agg_responses`
REPLACE PARTITION ID '202601' FROM `cc`.`agg_responses_partition_recompute`
