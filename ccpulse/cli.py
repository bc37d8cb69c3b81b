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
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from dlt.pipeline.exceptions import PipelineStepFailed

from ccpulse import __version__
from ccpulse.errors import CcpulseError, UsageError
from ccpulse.files import load_files
from ccpulse.logs import configure_logging
from ccpulse.schema import apply_generated, apply_migrations
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import Warehouse, close_warehouse, open_warehouse
from ccpulse.writer import writer_lease
from connectors.files import ColumnMapping
from connectors.http import SourceError
from kpi_views.catalog import CATALOG, GRAINS, UnknownKpiError
from kpi_views.catalog import kpi as find_kpi
from kpi_views.facts import DIMENSIONS
from kpi_views.generator import kpi_query
from transforms.unified_model import table_names

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
    except UsageError as exc:
        parser.error(str(exc))
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

    kpis = commands.add_parser("kpis", help="list the KPI catalogue")
    kpis.add_argument("--json", action="store_true", help="print the catalogue as JSON")
    kpis.set_defaults(command=_kpis)

    kpi = commands.add_parser("kpi", help="one KPI by any breakdown and grain")
    kpi.add_argument("kpi_id", metavar="ID", help="a KPI id, as `ccpulse kpis` lists them")
    kpi.add_argument(
        "--by",
        type=_dimension_list,
        default=(),
        help="breakdown: any of channel,skill,skill_group,agent, comma-separated",
    )
    kpi.add_argument("--grain", choices=GRAINS, default="day")
    kpi.add_argument("--from", dest="start", type=_date, help="first day, YYYY-MM-DD")
    kpi.add_argument("--to", dest="end", type=_date, help="last day (inclusive), YYYY-MM-DD")
    kpi.add_argument("--format", choices=("table", "csv", "json"), default="table")
    kpi.set_defaults(command=_kpi)

    run = commands.add_parser(
        "run", help="one incremental run: extract, load and transform the configured vendors"
    )
    run.add_argument(
        "--sources",
        type=_name_list,
        default=None,
        help="vendors or kinds to run, comma-separated (default: every configured vendor)",
    )
    _wait_option(run, default=900)
    run.set_defaults(command=_run)

    backfill = commands.add_parser(
        "backfill",
        help="re-extract a window of days and recompute its KPIs (resumable)",
        description="Re-extract the days from --from to --to from the vendors, through pipelines "
        "of its own (the regular runs' cursors are untouched), and recompute every aggregate of "
        "the window. Running the same backfill again after a crash continues where it stopped.",
    )
    backfill.add_argument("--from", dest="start", type=_date, required=True, help="YYYY-MM-DD")
    backfill.add_argument(
        "--to", dest="end", type=_date, required=True, help="last day (inclusive), YYYY-MM-DD"
    )
    backfill.add_argument(
        "--sources",
        type=_name_list,
        default=None,
        help="vendors or kinds to re-extract, comma-separated (default: every configured one)",
    )
    backfill.add_argument(
        "--recompute-only",
        action="store_true",
        help="recompute from the unified facts without re-extracting (after a definition change)",
    )
    _wait_option(backfill, default=3600)
    backfill.set_defaults(command=_backfill)

    reconcile = commands.add_parser(
        "reconcile",
        help="compare recent days' aggregates with a recomputation; repair and report any drift",
    )
    reconcile.add_argument("--days", type=_positive, default=7, help="days to check (default 7)")
    reconcile.add_argument(
        "--to", dest="end", type=_date, default=None, help="last day checked (default today, UTC)"
    )
    _wait_option(reconcile, default=900)
    reconcile.set_defaults(command=_reconcile)

    demo = commands.add_parser(
        "demo", help="run everything against the built-in sandbox and print the KPIs"
    )
    demo.add_argument("--days", type=int, default=3, help="days of history (default 3)")
    demo.add_argument("--contacts-per-day", type=int, default=300)
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument(
        "--json", action="store_true", help="print the summary as JSON instead of tables"
    )
    demo.set_defaults(command=_demo)

    report = commands.add_parser(
        "report", help="write the HTML report of the KPIs (one self-contained page)"
    )
    report.add_argument("--from", dest="start", type=_date, help="first day, YYYY-MM-DD")
    report.add_argument("--to", dest="end", type=_date, help="last day (inclusive), YYYY-MM-DD")
    report.add_argument(
        "--out", type=Path, default=Path("report.html"), help="where to write it (report.html)"
    )
    report.set_defaults(command=_report)

    load = commands.add_parser(
        "load-files", help="load CSV, Parquet or JSONL files shaped like a unified table"
    )
    load.add_argument("path", help="a file, a folder of files or a glob")
    load.add_argument("--table", required=True, choices=table_names())
    load.add_argument(
        "--mapping", help="TOML or JSON file: [columns] file = unified, [constants] column = value"
    )
    _wait_option(load, default=900)
    load.set_defaults(command=_load_files)

    sql = commands.add_parser("sql", help="run one SQL query against the warehouse")
    sql.add_argument("query", help='the query, e.g. "SELECT count() FROM cc.contacts"')
    sql.add_argument("--format", choices=("table", "csv", "json"), default="table")
    sql.set_defaults(command=_sql)
    return parser


def _views_apply(args: argparse.Namespace) -> int:
    warehouse = open_warehouse()
    print(apply_migrations(warehouse).summary())
    print(apply_generated(warehouse).summary())
    return 0


def ensure_schema(warehouse: Warehouse) -> None:
    """Apply what `views apply` would, quietly (a no-op once the warehouse is current)."""
    apply_migrations(warehouse)
    apply_generated(warehouse)


def _run(args: argparse.Namespace) -> int:
    from ccpulse.progress import Progress
    from ccpulse.run import run_and_transform

    warehouse = open_warehouse()
    ensure_schema(warehouse)
    try:
        with Progress() as progress:
            summaries, transforms = run_and_transform(
                warehouse, args.sources, wait_seconds=args.wait, progress=progress
            )
    except ValueError as exc:
        raise UsageError(f"--sources: {exc}") from None
    for summary in summaries:
        print(summary.line())
    for transform in transforms:
        print(transform.line())
    return 0 if all(summary.ok for summary in summaries) else 1


def _backfill(args: argparse.Namespace) -> int:
    from ccpulse.backfill import backfill
    from ccpulse.progress import Progress

    warehouse = open_warehouse()
    ensure_schema(warehouse)
    try:
        with Progress() as progress:
            result = backfill(
                warehouse,
                args.start,
                args.end,
                args.sources,
                recompute_only=args.recompute_only,
                progress=progress,
                wait_seconds=args.wait,
            )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for recomputed in result.recomputed:
        print(recomputed.line())
    print(result.line())
    return 0


def _reconcile(args: argparse.Namespace) -> int:
    from ccpulse.recompute import recompute_window

    end = args.end or datetime.now(UTC).date()
    start = end - timedelta(days=args.days - 1)
    warehouse = open_warehouse()
    ensure_schema(warehouse)
    with writer_lease(warehouse, f"ccpulse reconcile {start} to {end}", args.wait):
        result = recompute_window(warehouse, start, end, repair_only=True)
    for item in result.drift:
        print(f"drift: {item.aggregate} on {item.day}: {item.groups:,} groups repaired")
    print(result.line())
    return 0


def _wait_option(parser: argparse.ArgumentParser, default: int) -> None:
    parser.add_argument(
        "--wait",
        type=float,
        default=default,
        metavar="SECONDS",
        help=f"how long to wait for another run, backfill or repair to finish (default {default})",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"`{text}` is not a whole number of days of at least 1")
    return value


def _demo(args: argparse.Namespace) -> int:
    from ccpulse.demo import kpi_summary, run_demo, summary_json
    from ccpulse.report import DEMO_REPORT_PATH, write_report

    warehouse = open_warehouse()
    ensure_schema(warehouse)
    first, second = run_demo(warehouse, args.days, args.contacts_per_day, args.seed)
    kpis = kpi_summary(warehouse, second.first_day, second.last_day)
    if args.json:
        print(json.dumps(summary_json(first, second, kpis), indent=2))
    else:
        for run in (first, second):
            print(f"\n{run.label}:")
            for source in run.sources:
                print(f"  {source.line()}")
            for transform in run.transforms:
                print(f"  {transform.line()}")
        print(f"\nrecords of the {second.label}, by unified table:")
        columns = ["table", "staged", "new", "changed", "deleted", "unchanged"]
        records = second.records_by_table().items()
        print(format_table(columns, [(table, *counts.row()) for table, counts in records]))
        print(f"\nKPIs from {second.first_day} to {second.last_day}:")
        columns = ["kpi", "value", "unit", "by", "best", "worst"]
        print(format_table(columns, [line.cells() for line in kpis]))
    # with --json, stdout holds the JSON document alone
    report_to = sys.stderr if args.json else sys.stdout
    report = write_report(warehouse, DEMO_REPORT_PATH, second.first_day, second.last_day)
    print(f"\nreport: {report.resolve()}", file=report_to)
    failed = [source for run in (first, second) for source in run.sources if not source.ok]
    return 1 if failed else 0


def _report(args: argparse.Namespace) -> int:
    from ccpulse.report import write_report

    if args.start and args.end and args.start > args.end:
        raise UsageError(f"--from {args.start} is after --to {args.end}")
    path = write_report(open_warehouse(), args.out, args.start, args.end)
    print(f"report: {path.resolve()}")
    return 0


def _name_list(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _load_files(args: argparse.Namespace) -> int:
    try:
        mapping = ColumnMapping.from_file(args.mapping) if args.mapping else None
    except ValueError as exc:
        raise UsageError(f"--mapping: {exc}") from None
    warehouse = open_warehouse()
    ensure_schema(warehouse)
    try:
        with writer_lease(warehouse, f"ccpulse load-files into {args.table}", args.wait):
            result = load_files(warehouse, args.path, args.table, mapping)
    except PipelineStepFailed as exc:
        raise _source_error(exc) from None
    print(result.line())
    return 0


def _source_error(exc: PipelineStepFailed) -> CcpulseError:
    """dlt wraps what a source raised; show the innermost error we wrote the message for."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, SourceError):
            return CcpulseError(str(cause))
        cause = cause.__cause__ or cause.__context__
    return CcpulseError(f"the {exc.step} step failed: {_first_line(str(exc))}")


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), text)


def _kpis(args: argparse.Namespace) -> int:
    entries = [
        {
            "id": kpi.id,
            "name": kpi.name,
            "formula": kpi.formula,
            "unit": kpi.unit,
            "direction": kpi.direction,
            "breakdowns": list(kpi.breakdowns),
            "views": f"kpi.{kpi.id}[_by_<breakdown>]_<grain>",
        }
        for kpi in CATALOG.values()
    ]
    if args.json:
        print(json.dumps(entries, indent=2))
    else:
        columns = ["id", "name", "unit", "formula"]
        print(format_table(columns, [tuple(e[c] for c in columns) for e in entries]))
    return 0


def _kpi(args: argparse.Namespace) -> int:
    try:
        query = kpi_query(find_kpi(args.kpi_id), args.by, args.grain, args.start, args.end)
    except (UnknownKpiError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    result = open_warehouse().query(query.sql())
    columns = ["period", *[d for d in DIMENSIONS if d in args.by], "value"]
    if query.kpi.is_ratio:
        columns += ["numerator", "denominator"]
    records = [dict(zip(result.column_names, row, strict=True)) for row in result.result_rows]
    rows = [tuple(record[c] for c in columns) for record in records]
    _print_rows(columns, rows, args.format)
    return 0


def _dimension_list(text: str) -> tuple[str, ...]:
    names = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in names if name not in DIMENSIONS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown breakdown {', '.join(unknown)}; valid: {', '.join(DIMENSIONS)}"
        )
    return names


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"`{text}` is not a date; use YYYY-MM-DD") from None


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
