"""Building the WSGI app and serving it on a threading loopback server."""

from __future__ import annotations

import logging
import socketserver
import time
from collections.abc import Callable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from sandbox.faults import Clock, FaultConfig, Faults, RateLimit, RateLimiter
from sandbox.httpcore import SandboxApp, Vendor
from sandbox.truth import truth
from sandbox.version import CODE_DIGEST
from sandbox.world import World

logger = logging.getLogger(__name__)


def make_app(
    world: World,
    faults: dict[str, FaultConfig] | Faults | None = None,
    rate_limits: dict[str, RateLimit] | None = None,
    clock: Clock = time.monotonic,
    sleeper: Callable[[float], None] = time.sleep,
    vendors: list[Vendor] | None = None,
) -> SandboxApp:
    """The WSGI app serving every vendor of `world`.

    `faults` maps a vendor prefix (`genesys`, `zendesk-qa`, ...) to its FaultConfig.
    `rate_limits` overrides the vendors' default limits per bucket (see README); pass `{}` to
    keep the defaults, or a bucket with a huge limit to lift it. `clock` drives the rate
    limiter and `sleeper` the slow and time-out faults, so tests can fake both.
    """
    from sandbox.vendors import all_vendors

    chosen = vendors if vendors is not None else all_vendors(world)
    limits: dict[str, RateLimit] = {}
    for vendor in chosen:
        limits.update(vendor.default_limits)
    limits.update(rate_limits or {})
    if not isinstance(faults, Faults):
        faults = Faults(world.seed, faults or {}, sleeper)
    return SandboxApp(world, chosen, faults, RateLimiter(limits, clock), truth)


class _Quiet(WSGIRequestHandler):
    """Log requests through `logging` at DEBUG instead of stderr."""

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.address_string(), *args)


class ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    """One thread per connection, so a slow answer does not block other clients."""

    daemon_threads = True


def serve(app: SandboxApp, host: str = "127.0.0.1", port: int = 8765) -> WSGIServer:
    """Create (not start) a threading server; call `serve_forever()` or run it in a thread."""
    server = make_server(host, port, app, server_class=ThreadingWSGIServer, handler_class=_Quiet)
    logger.info(
        "sandbox listening on http://%s:%d; world %s; code %s",
        host,
        server.server_port,
        " ".join(f"{key}={value}" for key, value in app.world.options().items()),
        CODE_DIGEST,
    )
    return server
