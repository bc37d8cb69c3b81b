"""ccpulse's benchmark suite: `make bench` (or `python -m bench`), sizes chosen by BENCH_SCALE.

Every figure is measured beside a baseline in the same run: the load path against a plain
insert, KPI queries against computing them at query time (FINAL, DuckDB), exactness against a
naive materialized view, extraction against dlt alone. The results go to `bench/results.json`
(`bench/results-<scale>.json` for other scales) and a table on standard output.
"""
