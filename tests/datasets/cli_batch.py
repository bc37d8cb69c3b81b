"""Run several `ccpulse` command lines in one process, for the data-set tests.

A fresh process costs seconds (chDB, dlt and the catalogue load once per process), and so does
reopening the embedded warehouse, which `ccpulse.cli.main` closes after every command. A test
therefore hands a whole script of commands (loads and KPI queries) to one child process:
`python -m tests.datasets.cli_batch SCRIPT.json`. SCRIPT is a JSON list of argument lists; each is
parsed by the command line's own parser and run by its own command function, with the warehouse
left open in between. The output is a JSON list with each command's exit status and output.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

from ccpulse.cli import _build_parser
from ccpulse.warehouse import close_warehouse


def run_script(commands: list[list[str]]) -> list[dict[str, object]]:
    parser = _build_parser()
    results: list[dict[str, object]] = []
    try:
        for argv in commands:
            args = parser.parse_args(argv)
            stdout = io.StringIO()
            with contextlib.redirect_stdout(stdout):
                status = args.command(args)
            results.append({"argv": argv, "status": status, "stdout": stdout.getvalue()})
    finally:
        close_warehouse()
    return results


if __name__ == "__main__":
    script = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    json.dump(run_script(script), sys.stdout)
