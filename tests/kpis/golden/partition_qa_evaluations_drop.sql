ALTER TABLE `cc`.`agg_qa_evaluations`
DROP PARTITION ID '202601'
