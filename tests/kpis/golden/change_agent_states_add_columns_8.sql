DROP VIEW IF EXISTS `cc`.`agent_states_state_mv`
