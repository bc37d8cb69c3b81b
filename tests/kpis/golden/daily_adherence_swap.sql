ALTER TABLE `cc`.`agg_adherence`
REPLACE PARTITION '2026-03-02' FROM `cc`.`agg_adherence_recompute`
