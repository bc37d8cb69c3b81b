ALTER TABLE `cc`.`agg_agent_states`
DROP PARTITION ID '202601'
