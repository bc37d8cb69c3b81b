ALTER TABLE `cc`.`agent_states_changes`
ADD COLUMN IF NOT EXISTS `channel` LowCardinality(Nullable(String)) AFTER `skill_group`
