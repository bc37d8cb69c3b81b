ALTER TABLE `cc`.`schedules_changes`
ADD COLUMN IF NOT EXISTS `channel` LowCardinality(Nullable(String)) AFTER `skill_group`
