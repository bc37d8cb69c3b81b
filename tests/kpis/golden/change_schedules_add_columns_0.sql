ALTER TABLE `cc`.`schedules`
ADD COLUMN IF NOT EXISTS `skill_group` LowCardinality(Nullable(String)) AFTER `ends_at`
