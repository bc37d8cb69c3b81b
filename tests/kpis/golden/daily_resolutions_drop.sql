ALTER TABLE `cc`.`agg_resolutions`
DROP PARTITION '2026-03-02'
