"""A small WSGI framework: requests, JSON answers, routing per vendor, and the sandbox app.

The app routes `/<vendor>/...` to that vendor's handlers after faults, authentication and rate
limiting, in that order (a vendor's gateway throttles before it authenticates; here an expired
token is a fault, so faults come first). `/_sandbox/...` holds the control endpoints: the clock,
the faults and the oracle.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sandbox.faults import Decision, FaultConfig, Faults, RateLimit, RateLimiter, malform
from sandbox.faults import page_window as _page_window
from sandbox.timeutil import iso_ms, parse_instant
from sandbox.version import CODE_DIGEST
from sandbox.world import World

logger = logging.getLogger(__name__)

REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    415: "Unsupported Media Type",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


@dataclass
class Request:
    """One HTTP request, with the vendor prefix stripped from `path`."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    decision: Decision = field(default_factory=Decision)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        return self.query.get(name, [])

    def json(self) -> Any:
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError as exc:
            raise HttpError(400, {"message": "request body is not valid JSON"}) from exc

    def form(self) -> dict[str, str]:
        parsed = urllib.parse.parse_qs(self.body.decode("utf-8", "replace"))
        return {key: values[0] for key, values in parsed.items()}

    def basic_auth(self) -> tuple[str, str] | None:
        header = self.headers.get("authorization", "")
        if not header.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except ValueError:
            return None
        user, _, password = decoded.partition(":")
        return user, password

    def bearer(self) -> str | None:
        header = self.headers.get("authorization", "")
        return header[7:].strip() if header.lower().startswith("bearer ") else None


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


class HttpError(Exception):
    """An error answer; `body` is already in the vendor's error shape."""

    def __init__(self, status: int, body: Any, headers: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = list(headers)


def json_response(status: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> Response:
    body = json.dumps(payload, separators=(",", ":"), sort_keys=False).encode()
    return Response(status, body, [("Content-Type", "application/json; charset=utf-8"), *headers])


Handler = Callable[[Request, "re.Match[str]"], Response]


class Vendor:
    """Base of a vendor API: routes, credentials, error shape and rate-limit buckets."""

    name = ""
    default_limits: dict[str, RateLimit] = {}
    throttle_status = 429

    def __init__(self, world: World) -> None:
        self.world = world
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.register()

    def register(self) -> None:
        """Add the vendor's routes with `self.route`."""

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(pattern + r"/?$"), handler))

    def match(self, request: Request) -> tuple[Handler, re.Match[str]]:
        allowed = False
        for method, pattern, handler in self._routes:
            found = pattern.match(request.path)
            if found:
                if method == request.method:
                    return handler, found
                allowed = True
        if allowed:
            raise HttpError(405, self.error_body(405, "method not allowed"))
        raise HttpError(404, self.error_body(404, f"no route for {request.path}"))

    def public(self, request: Request) -> bool:
        """Requests that need no credentials (token endpoints)."""
        return False

    def authenticate(self, request: Request) -> None:
        """Raise HttpError(401) unless the request carries the sandbox's credentials."""
        raise NotImplementedError

    def error_body(self, status: int, message: str) -> Any:
        return {"message": message}

    def expired_body(self) -> Any:
        return self.error_body(401, "access token expired")

    def bucket(self, request: Request) -> str:
        """The rate-limit bucket a request counts against."""
        return self.name

    def limit_headers(self, limit: int, remaining: int, reset_s: float) -> list[tuple[str, str]]:
        return []

    def throttle_body(self) -> Any:
        return self.error_body(429, "rate limit exceeded")

    def page(self, request: Request, items: list[Any], offset: int, size: int) -> list[Any]:
        """Slice a page and apply this request's record faults."""
        found = _page_window(items, offset, size, request.decision)
        return self.malform_page(request, found)

    def malform_page(self, request: Request, records: list[Any]) -> list[Any]:
        kind = request.decision.malformed
        if not kind or not records:
            return records
        position = request.decision.stream.randrange(len(records))
        records = list(records)
        if isinstance(records[position], dict):
            records[position] = malform(records[position], kind)
        return records


class SandboxApp:
    """The WSGI application serving every vendor of one world."""

    def __init__(
        self,
        world: World,
        vendors: list[Vendor],
        faults: Faults,
        limiter: RateLimiter,
        truth_fn: Callable[..., list[dict[str, Any]]] | None = None,
    ) -> None:
        self.world = world
        self.vendors = {vendor.name: vendor for vendor in vendors}
        self.faults = faults
        self.limiter = limiter
        self.truth_fn = truth_fn

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        request, prefix = _parse(environ)
        response = self.handle(request, prefix)
        reason = REASONS.get(response.status, "Unknown")
        headers = [*response.headers, ("Content-Length", str(len(response.body)))]
        start_response(f"{response.status} {reason}", headers)
        return [response.body]

    def handle(self, request: Request, prefix: str) -> Response:
        if prefix == "_sandbox":
            return self._control(request)
        vendor = self.vendors.get(prefix)
        if vendor is None:
            return json_response(404, {"message": f"no vendor under /{prefix}"})
        logger.info("%s /%s%s", request.method, prefix, request.path)
        try:
            return self._vendor(vendor, request)
        except HttpError as error:
            return json_response(error.status, error.body, error.headers)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            # A request the handler could not read (a string where a number belongs, a missing
            # key): the client's fault, so 400 rather than a 5xx that clients would retry.
            logger.warning("bad request to /%s%s: %r", prefix, request.path, exc)
            return json_response(400, vendor.error_body(400, f"bad request: {exc}"))

    def _vendor(self, vendor: Vendor, request: Request) -> Response:
        decision = self.faults.decide(vendor.name)
        request.decision = decision
        self.faults.sleep(decision.delay_s)
        if decision.timeout:
            config = self.faults.configs.get(vendor.name, FaultConfig())
            self.faults.sleep(config.timeout_seconds)
            return json_response(504, vendor.error_body(504, "upstream request timed out"))
        if decision.status == 429:
            return self._throttled(vendor, 1.0, 0)
        if decision.status:
            return json_response(
                decision.status, vendor.error_body(decision.status, "internal error")
            )
        if not vendor.public(request):
            vendor.authenticate(request)
            if decision.expired_token:
                raise HttpError(401, vendor.expired_body())
        allowed, limit, remaining, reset_s = self.limiter.check(vendor.bucket(request))
        if not allowed:
            return self._throttled(vendor, reset_s, limit)
        handler, match = vendor.match(request)
        response = handler(request, match)
        if limit:
            response.headers.extend(vendor.limit_headers(limit, remaining, reset_s))
        return response

    def _throttled(self, vendor: Vendor, reset_s: float, limit: int) -> Response:
        headers = [("Retry-After", str(max(1, int(reset_s + 0.999))))]
        headers.extend(vendor.limit_headers(limit, 0, reset_s))
        return json_response(vendor.throttle_status, vendor.throttle_body(), headers)

    def _control(self, request: Request) -> Response:
        try:
            return self._control_route(request)
        except ValueError as exc:
            return json_response(400, {"message": str(exc)})

    def _control_route(self, request: Request) -> Response:
        if request.path == "/clock" and request.method == "POST":
            body = request.json()
            if "to" in body:
                self.world.set_clock(parse_instant(str(body["to"])))
            else:
                self.world.advance(float(body.get("hours", 0)), days=float(body.get("days", 0)))
            return self._clock()
        if request.path == "/clock":
            return self._clock()
        if request.path == "/health":
            # The options and code digest tell which world answers: equal ones, equal bytes.
            return json_response(
                200, {"status": "ok", "world": self.world.options(), "code": CODE_DIGEST}
            )
        if request.path == "/faults" and request.method == "POST":
            for vendor, values in request.json().items():
                self.faults.configure(vendor, FaultConfig.from_dict(values))
            return json_response(200, {"configured": sorted(request.json())})
        if request.path == "/truth" and self.truth_fn is not None:
            by = [name for name in (request.arg("by") or "").split(",") if name]
            rows = self.truth_fn(
                self.world, kpi=request.arg("kpi"), by=by, grain=request.arg("grain") or "day"
            )
            return json_response(200, rows)
        return json_response(404, {"message": f"no control endpoint {request.path}"})

    def _clock(self) -> Response:
        now = self.world.now_ms
        return json_response(200, {"now": iso_ms(now), "now_ms": now})


def _parse(environ: dict[str, Any]) -> tuple[Request, str]:
    path = environ.get("PATH_INFO", "") or "/"
    _, _, rest = path.partition("/")
    prefix, _, tail = rest.partition("/")
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = str(environ["CONTENT_TYPE"])
    query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    method = str(environ.get("REQUEST_METHOD", "GET")).upper()
    return Request(method, "/" + tail, query, headers, body), prefix


def int_arg(
    request: Request, name: str, default: int, low: int, high: int, error: Callable[[str], Any]
) -> int:
    """A bounded integer query parameter, or a 400 in the vendor's error shape."""
    raw = request.arg(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise HttpError(400, error(f"`{name}` must be an integer")) from exc
    if not low <= value <= high:
        raise HttpError(400, error(f"`{name}` must be between {low} and {high}"))
    return value
