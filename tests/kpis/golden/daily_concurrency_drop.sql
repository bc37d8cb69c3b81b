ALTER TABLE `cc`.`agg_concurrency`
DROP PARTITION '2026-03-02'
