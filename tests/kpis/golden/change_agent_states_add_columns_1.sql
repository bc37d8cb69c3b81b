ALTER TABLE `cc`.`agent_states`
ADD COLUMN IF NOT EXISTS `channel` LowCardinality(Nullable(String)) AFTER `skill_group`
