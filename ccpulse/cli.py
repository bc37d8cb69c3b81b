"""The `ccpulse` command line.

Each subcommand is a small function that parses nothing itself: argparse validates the arguments,
`ccpulse.warehouse` opens the warehouse, and errors ccpulse raises on purpose are printed as one
line on stderr (exit status 2) without a stack trace.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ccpulse import __version__
from ccpulse.errors import CcpulseError
from ccpulse.logs import configure_logging
from ccpulse.schema import apply_migrations
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import close_warehouse, open_warehouse

__all__ = ["main"]

logger = logging.getLogger(__name__)

Command = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit status."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        settings = WarehouseSettings.from_env()
        configure_logging(args.verbose, secrets=[settings.password])
        command: Command = args.command
        return command(args)
    except CcpulseError as exc:
        print(f"ccpulse: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ccpulse: interrupted", file=sys.stderr)
        return 130
    finally:
        close_warehouse()


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ccpulse",
        description="Contact-centre data into ClickHouse, with every KPI kept exact.",
        epilog="The warehouse is chosen by CCPULSE_WAREHOUSE (chdb:///path or "
        "clickhouse://user:password@host:port/database); unset, it is .ccpulse/warehouse.",
    )
    parser.add_argument("--version", action="version", version=f"ccpulse {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)"
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    views = commands.add_parser("views", help="manage what ccpulse owns in the warehouse")
    views_commands = views.add_subparsers(title="views commands", required=True, metavar="ACTION")
    apply = views_commands.add_parser(
        "apply", help="create or migrate ccpulse's databases, tables and views (idempotent)"
    )
    apply.set_defaults(command=_views_apply)

    sql = commands.add_parser("sql", help="run one SQL query against the warehouse")
    sql.add_argument("query", help='the query, e.g. "SELECT count() FROM cc.contacts"')
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sql.set_defaults(command=_sql)
    return parser


def _views_apply(args: argparse.Namespace) -> int:
    report = apply_migrations(open_warehouse())
    print(report.summary())
    return 0


def _sql(args: argparse.Namespace) -> int:
    result = open_warehouse().query(args.query)
    columns = list(result.column_names)
    rows = [tuple(row) for row in result.result_rows]
    _print_rows(columns, rows, args.format)
    return 0


def _print_rows(columns: list[str], rows: list[tuple[Any, ...]], output_format: str) -> None:
    if output_format == "json":
        records = [dict(zip(columns, map(_plain, row), strict=True)) for row in rows]
        print(json.dumps(records, indent=2, ensure_ascii=False))
    elif output_format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([[_plain(value) for value in row] for row in rows])
    else:
        print(format_table(columns, rows))


def format_table(columns: list[str], rows: list[tuple[Any, ...]]) -> str:
    """Lay rows out as an aligned text table, numbers to the right."""
    cells = [[_text(value) for value in row] for row in rows]
    widths = [max([len(name)] + [len(row[i]) for row in cells]) for i, name in enumerate(columns)]
    numeric = [
        all(isinstance(row[i], int | float | Decimal) for row in rows) for i in range(len(columns))
    ]

    def line(values: list[str]) -> str:
        return "  ".join(
            value.rjust(width) if is_number else value.ljust(width)
            for value, width, is_number in zip(values, widths, numeric, strict=True)
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(columns), rule, *(line(row) for row in cells)])


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(_plain(value))


if __name__ == "__main__":
    sys.exit(main())
