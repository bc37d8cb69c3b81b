ALTER TABLE `cc`.`agg_contacts_day_without_agent`
DROP PARTITION ID '20260302'
