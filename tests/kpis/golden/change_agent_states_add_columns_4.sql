ALTER TABLE `cc`.`agent_states_pending`
ADD COLUMN IF NOT EXISTS `skill_group` LowCardinality(Nullable(String)) AFTER `ended_at`
