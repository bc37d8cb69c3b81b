ALTER TABLE `cc`.`agg_agent_states`
REPLACE PARTITION ID '202601' FROM `cc`.`agg_agent_states_partition_recompute`
