"""Command line: serve the sandbox, print its credentials, or print the oracle's KPI figures.

python -m sandbox --port P --seed S --days D [--contacts-per-day N]   serve
python -m sandbox credentials --port P
python -m sandbox truth --seed S --days D [--kpi ID] [--by dims] [--grain G] --format json
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Sequence

from sandbox.app import make_app, serve
from sandbox.credentials import env_lines
from sandbox.truth import GRAINS, TruthError, truth
from sandbox.world import World

logger = logging.getLogger(__name__)

COMMANDS = ("serve", "credentials", "truth", "measure")


def _world_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--contacts-per-day", type=int, default=400)
    parser.add_argument("--agents", type=int, default=None)
    parser.add_argument(
        "--chat-slots", type=int, default=1, help="conversations a digital agent holds at once"
    )
    parser.add_argument(
        "--advance-hours",
        type=float,
        default=0.0,
        help="move the clock forward after building the world",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sandbox",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command")
    served = commands.add_parser("serve", help="serve every vendor API (the default)")
    _world_args(served)
    served.add_argument("--host", default="127.0.0.1")
    served.add_argument("--port", type=int, default=8765)
    creds = commands.add_parser("credentials", help="print NAME=value lines for dlt")
    creds.add_argument("--host", default="127.0.0.1")
    creds.add_argument("--port", type=int, default=8765)
    oracle = commands.add_parser("truth", help="print the true KPI figures")
    _world_args(oracle)
    oracle.add_argument("--kpi", default=None)
    oracle.add_argument("--by", default="")
    oracle.add_argument("--grain", default="day", choices=GRAINS)
    oracle.add_argument("--format", default="json", choices=("json",))
    measure = commands.add_parser("measure", help="time the generation of every day")
    _world_args(measure)
    return parser


def _world(args: argparse.Namespace) -> World:
    world = World(
        seed=args.seed,
        days=args.days,
        contacts_per_day=args.contacts_per_day,
        agents=args.agents,
        chat_slots=args.chat_slots,
    )
    if args.advance_hours:
        world.advance(args.advance_hours)
    return world


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv = ["serve", *argv]
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(message)s", stream=sys.stderr
    )
    if args.command == "credentials":
        print("\n".join(env_lines(args.port, args.host)))
        return 0
    if args.command == "truth":
        return _truth(args)
    if args.command == "measure":
        return _measure(args)
    server = serve(make_app(_world(args)), args.host, args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        logger.info("sandbox stopped")
    return 0


def _truth(args: argparse.Namespace) -> int:
    by = [name for name in args.by.split(",") if name]
    try:
        rows = truth(_world(args), kpi=args.kpi, by=by, grain=args.grain)
    except TruthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    json.dump(rows, sys.stdout, indent=None, separators=(",", ":"))
    sys.stdout.write("\n")
    return 0


def _measure(args: argparse.Namespace) -> int:
    started, cpu_started = time.perf_counter(), time.process_time()
    world = _world(args)
    contacts = legs = 0
    for day in range(world.days):
        batch = world.day(day)
        legs += len(batch.legs)
        contacts += sum(1 for leg in batch.legs if leg.leg == 1)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu_started
    print(
        json.dumps(
            {
                "contacts": contacts,
                "legs": legs,
                "seconds": round(seconds, 2),
                # CPU time of this process: the wall figure grows when the machine is shared.
                "cpu_seconds": round(cpu_seconds, 2),
                "contacts_per_s": round(contacts / seconds),
            }
        )
    )
    return 0
