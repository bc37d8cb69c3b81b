ALTER TABLE `cc`.`agg_qa_evaluations`
REPLACE PARTITION ID '202601' FROM `cc`.`agg_qa_evaluations_partition_recompute`
