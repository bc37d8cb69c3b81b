DROP VIEW IF EXISTS `cc`.`schedules_state_mv`
