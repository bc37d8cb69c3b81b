ALTER TABLE `cc`.`agg_customers`
REPLACE PARTITION ID '202601' FROM `cc`.`agg_customers_partition_recompute`
