ALTER TABLE `cc`.`schedules_pending`
ADD COLUMN IF NOT EXISTS `skill_group` LowCardinality(Nullable(String)) AFTER `ends_at`
