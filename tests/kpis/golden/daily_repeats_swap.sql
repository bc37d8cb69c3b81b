ALTER TABLE `cc`.`agg_repeats`
REPLACE PARTITION '2026-03-02' FROM `cc`.`agg_repeats_recompute`
