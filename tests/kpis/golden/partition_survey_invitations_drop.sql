ALTER TABLE `cc`.`agg_survey_invitations`
DROP PARTITION ID '202601'
