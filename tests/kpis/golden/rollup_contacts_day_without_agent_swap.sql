ALTER TABLE `cc`.`agg_contacts_day_without_agent`
REPLACE PARTITION ID '20260302' FROM `cc`.`agg_contacts_day_without_agent_rebuild`
