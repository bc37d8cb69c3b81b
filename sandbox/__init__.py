"""ccpulse sandbox: a simulated contact centre served as eight vendor APIs, with its own KPIs.

Public API (see sandbox/README.md):

- `World(seed, days, contacts_per_day, agents, channel_mix, start, chat_slots)`: the
  simulation; its clock starts at midnight after the last day and moves only with
  `advance(hours=..., days=...)`.
- `make_app(world, faults=..., rate_limits=..., clock=..., sleeper=...)`: the WSGI app.
- `serve(app, host, port)`: a threading loopback server for the app.
- `truth(world, kpi=None, by=(), grain="day")`: the oracle's KPI rows.
- `FaultConfig`, `RateLimit`, `FakeClock`: fault and rate-limit settings for tests.
- `credentials(port)`, `env_lines(port)`: the fixed credentials, as dlt settings.

`sandbox.adapter.WSGIAdapter(app)` mounts the app on a `requests` session in-process; it needs
`requests`, so it is not imported here.

It imports nothing of the product, so it stays an honest stand-in for the vendors.
"""

from sandbox.app import make_app, serve
from sandbox.credentials import credentials, env_lines
from sandbox.faults import MALFORMATIONS, FakeClock, FaultConfig, RateLimit
from sandbox.truth import DIMENSIONS, GRAINS, KPI_IDS, TruthError, truth
from sandbox.world import World

__all__ = [
    "DIMENSIONS",
    "GRAINS",
    "KPI_IDS",
    "MALFORMATIONS",
    "FakeClock",
    "FaultConfig",
    "RateLimit",
    "TruthError",
    "World",
    "credentials",
    "env_lines",
    "make_app",
    "serve",
    "truth",
]
