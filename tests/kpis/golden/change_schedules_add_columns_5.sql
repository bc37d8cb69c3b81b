ALTER TABLE `cc`.`schedules_pending`
ADD COLUMN IF NOT EXISTS `channel` LowCardinality(Nullable(String)) AFTER `skill_group`
