ALTER TABLE `cc`.`agg_labour`
REPLACE PARTITION '2026-03-02' FROM `cc`.`agg_labour_recompute`
