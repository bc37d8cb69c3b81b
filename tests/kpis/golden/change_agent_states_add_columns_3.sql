ALTER TABLE `cc`.`agent_states_staging`
ADD COLUMN IF NOT EXISTS `channel` LowCardinality(Nullable(String)) AFTER `skill_group`
