ALTER TABLE `cc`.`agg_resolutions`
REPLACE PARTITION '2026-03-02' FROM `cc`.`agg_resolutions_recompute`
