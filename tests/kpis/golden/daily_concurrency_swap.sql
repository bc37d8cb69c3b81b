ALTER TABLE `cc`.`agg_concurrency`
REPLACE PARTITION '2026-03-02' FROM `cc`.`agg_concurrency_recompute`
