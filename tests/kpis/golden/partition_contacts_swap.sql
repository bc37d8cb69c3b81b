ALTER TABLE `cc`.`agg_contacts`
REPLACE PARTITION ID '202601' FROM `cc`.`agg_contacts_partition_recompute`
