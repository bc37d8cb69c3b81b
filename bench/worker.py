"""One measurement in a process of its own: `python -m bench.worker CASE WORKDIR OUT_JSON`.

chDB opens one warehouse folder per process, so each measurement that needs a warehouse of its
own runs here, on the folder `CCPULSE_WAREHOUSE` names, and writes its figures to OUT_JSON.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import extraction, warehouse_cases
from bench.scales import Scale, scale_from_env

__all__ = ["CASES", "main"]

CASES: dict[str, Callable[[Scale, Path], dict[str, Any]]] = {
    "load": warehouse_cases.load,
    "backfill_memory": warehouse_cases.backfill_memory,
    "freshness": warehouse_cases.freshness,
    "query_latency": warehouse_cases.query_latency,
    "exactness": warehouse_cases.exactness,
    "extraction_throughput": extraction.extraction_throughput,
    "rate_limit_use": extraction.rate_limit_use,
}


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in CASES:
        print(
            f"usage: python -m bench.worker {{{','.join(CASES)}}} WORKDIR OUT_JSON", file=sys.stderr
        )
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    case, workdir, out = argv[0], Path(argv[1]), Path(argv[2])
    workdir.mkdir(parents=True, exist_ok=True)
    figures = CASES[case](scale_from_env(), workdir)
    out.write_text(json.dumps(figures, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
