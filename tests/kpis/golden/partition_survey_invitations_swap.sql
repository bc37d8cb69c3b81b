ALTER TABLE `cc`.`agg_survey_invitations`
REPLACE PARTITION ID '202601' FROM `cc`.`agg_survey_invitations_partition_recompute`
