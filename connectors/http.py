"""The one HTTP layer every vendor connector uses.

A connector asks `make_client()` for a `VendorClient` and never builds a session or a retry loop
of its own. The client's `VendorSession` (a `requests.Session`) does, for every request:

- waits for the vendor's rate limit (a sliding window shared by every thread and every client of
  that vendor in the process, so the limit is used fully but never exceeded);
- retries 408, 429, 5xx, connection errors and time-outs with tenacity, honouring `Retry-After`
  (seconds or an HTTP date) and otherwise backing off exponentially, capped, with jitter;
- stops on 401/403 with `SourceAuthError`, whose message names the dlt setting to fix;
- logs one INFO line per request with credentials masked, and counts requests, retries and
  seconds per vendor for the run summary (`vendor_stats()`).

Because all of this happens in `send()`, the session can be handed to dlt's
`RESTClient(session=...)` (which prepares requests itself and calls `session.send`), and
`VendorClient.get()` works the same way without dlt.

Secrets never reach a log line or an error: URLs and texts are masked by rule (userinfo, query
parameters such as `access_token`, `Authorization` headers) and by value (every credential handed
to `make_client` is registered), and `install_log_masking()` puts the same masking on the log
handlers, so lines logged by dlt or urllib3 are masked too.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import requests
from dlt.sources.helpers.rest_client.client import RESTClient
from requests.hooks import default_hooks
from requests.models import PreparedRequest
from tenacity import RetryCallState, RetryError, Retrying, retry_if_exception_type
from tenacity import stop_after_attempt as _stop_after_attempt

__all__ = [
    "DEFAULT_REGISTRY",
    "Clock",
    "RateLimit",
    "RetryPolicy",
    "SecretMaskingFilter",
    "SlidingWindowLimiter",
    "SourceAuthError",
    "SourceError",
    "TransientSourceError",
    "VendorClient",
    "VendorRegistry",
    "VendorSession",
    "VendorState",
    "VendorStats",
    "install_log_masking",
    "is_retryable_status",
    "make_client",
    "mask_text",
    "mask_url",
    "parse_retry_after",
    "register_secret",
    "setting_names",
    "vendor_stats",
]

logger = logging.getLogger(__name__)

MASK = "***"

# (connect, read) seconds: requests waits forever without a time-out, and a hung vendor must not
# hang a pipeline that runs every fifteen minutes.
DEFAULT_TIMEOUT_S: tuple[float, float] = (10.0, 60.0)

_BODY_EXCERPT_CHARS = 300


# --- errors ---------------------------------------------------------------------------------


class SourceError(Exception):
    """A source failed and stopping is the right reaction; the message says what to do.

    The message is masked on construction, so an error never carries a registered secret.
    """

    def __init__(
        self, message: str, *, vendor: str | None = None, status_code: int | None = None
    ) -> None:
        super().__init__(mask_text(message))
        self.vendor = vendor
        self.status_code = status_code


class TransientSourceError(SourceError):
    """A failure that may pass (429, 5xx, time-out) and outlasted every retry of this run."""


class SourceAuthError(SourceError):
    """The vendor refused the credentials (401) or the permission (403): fix a setting."""

    def __init__(
        self,
        message: str,
        *,
        vendor: str,
        status_code: int,
        settings: Sequence[str],
    ) -> None:
        super().__init__(message, vendor=vendor, status_code=status_code)
        self.settings = tuple(settings)


# --- masking --------------------------------------------------------------------------------

_SENSITIVE_NAMES = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "token",
        "auth",
        "auth_token",
        "authorization",
        "proxy-authorization",
        "api_key",
        "apikey",
        "api-key",
        "x-api-key",
        "hapikey",
        "key",
        "client_secret",
        "secret",
        "password",
        "passwd",
        "pwd",
        "signature",
        "sig",
        "cookie",
        "set-cookie",
        "private-token",
        "x-auth-token",
    }
)
_SENSITIVE_FRAGMENTS = ("secret", "password", "passwd", "apikey", "api_key", "credential")
# Pagination cursors end in "token" at several vendors; they are not credentials and are worth
# seeing in a log.
_CURSOR_FRAGMENTS = ("page", "cursor", "next", "continuation", "sync")

_USERINFO_RE = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/\s@?#]+)@")
_KEY_VALUE_RE = re.compile(
    r"(?P<key>[A-Za-z_][\w.-]*)"
    r"(?P<sep>['\"]?\s*[:=]\s*['\"]?)"
    r"(?P<scheme>(?:bearer|basic|token|digest|apikey|sso-key|otoken)\s+)?"
    r"(?P<value>[^\s'\"&,;}\]]+)",
    re.IGNORECASE,
)
_MIN_SECRET_CHARS = 6


def _is_sensitive_name(name: str) -> bool:
    lowered = name.lower()
    if lowered in _SENSITIVE_NAMES:
        return True
    if any(fragment in lowered for fragment in _SENSITIVE_FRAGMENTS):
        return True
    return lowered.endswith("token") and not any(part in lowered for part in _CURSOR_FRAGMENTS)


class _SecretValues:
    """Literal secret values to mask wherever they appear (thread-safe, process-wide)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: tuple[str, ...] = ()

    def add(self, value: str) -> None:
        # short values would mask ordinary words; no real credential is that short
        if len(value) < _MIN_SECRET_CHARS:
            return
        with self._lock:
            candidates = {value, quote(value, safe=""), *self._values}
            # longest first, so a secret that contains another is masked whole
            self._values = tuple(sorted(candidates, key=len, reverse=True))

    def mask(self, text: str) -> str:
        for value in self._values:
            if value in text:
                text = text.replace(value, MASK)
        return text


_SECRETS = _SecretValues()


def register_secret(value: str | None) -> None:
    """Mask `value` in every log line and error from now on (values under 6 chars are ignored)."""
    if value:
        _SECRETS.add(value)


def _mask_key_value(match: re.Match[str]) -> str:
    prefix = f"{match['key']}{match['sep']}{match['scheme'] or ''}"
    if _is_sensitive_name(match["key"]):
        return f"{prefix}{MASK}"
    # the value may itself hold pairs, as in `url=https://x.io/?access_token=...`
    return f"{prefix}{_KEY_VALUE_RE.sub(_mask_key_value, match['value'])}"


def mask_text(text: str) -> str:
    """Mask registered secrets, URL userinfo and `name=value` pairs with a sensitive name."""
    text = _SECRETS.mask(text)
    text = _USERINFO_RE.sub(lambda match: f"{match['scheme']}{MASK}@", text)
    return _KEY_VALUE_RE.sub(_mask_key_value, text)


def mask_url(url: str) -> str:
    """Return `url` with userinfo and sensitive query parameters replaced by `***`."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{MASK}@{netloc.rsplit('@', 1)[1]}"
    query = _KEY_VALUE_RE.sub(_mask_key_value, parts.query)
    return _SECRETS.mask(urlunsplit(parts._replace(netloc=netloc, query=query)))


def _mask_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        name: MASK if _is_sensitive_name(name) else mask_text(str(value))
        for name, value in headers.items()
    }


class SecretMaskingFilter(logging.Filter):
    """A logging filter that masks secrets in the message and traceback of every record.

    Put it on handlers (`install_log_masking()` does): a filter on a logger sees only the records
    logged on that very logger, not those of its children.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # arguments that do not fit the format: the handler reports that when it emits
            return True
        record.msg = mask_text(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True


_FILTER = SecretMaskingFilter()


def install_log_masking(handlers: Iterable[logging.Handler] | None = None) -> SecretMaskingFilter:
    """Add one `SecretMaskingFilter` to `handlers` (default: the root logger's and dlt's).

    Call it after logging is configured. dlt's logger does not propagate to the root, so it gets
    the filter itself. Calling it twice adds no second filter.
    """
    masking = _FILTER
    dlt_logger = logging.getLogger("dlt")
    targets = (
        list(handlers)
        if handlers is not None
        else [
            *logging.getLogger().handlers,
            *dlt_logger.handlers,
        ]
    )
    if handlers is None and masking not in dlt_logger.filters:
        dlt_logger.addFilter(masking)
    for handler in targets:
        if masking not in handler.filters:
            handler.addFilter(masking)
    return masking


# --- time, rate limit, counters -------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """Where the HTTP layer reads time and sleeps; tests pass a fake one and never sleep."""

    monotonic: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep


@dataclass(frozen=True)
class RateLimit:
    """At most `max_requests` requests in any window of `window_s` seconds."""

    max_requests: int
    window_s: float

    def __post_init__(self) -> None:
        if self.max_requests < 1 or self.window_s <= 0:
            raise ValueError(f"a rate limit needs max_requests >= 1 and window_s > 0, got {self}")

    @classmethod
    def per_second(cls, max_requests: int) -> RateLimit:
        """At most `max_requests` requests per second."""
        return cls(max_requests, 1.0)

    @classmethod
    def per_minute(cls, max_requests: int) -> RateLimit:
        """At most `max_requests` requests per minute."""
        return cls(max_requests, 60.0)


class SlidingWindowLimiter:
    """A sliding-window log: a request may go when fewer than N went in the last window.

    A token bucket would let a full bucket plus its refill through in one window; the log never
    exceeds the vendor's limit measured over any window, yet lets N requests go at once.
    Thread-safe; `pause()` holds every thread back after a vendor's `Retry-After`.
    """

    # TODO: share the window between processes (a backfill running beside the scheduled run
    # shares the vendor's quota) - can go when runs of one vendor are serialised by a lock file.

    def __init__(self, limit: RateLimit | None, clock: Clock) -> None:
        self.limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        self._sent_at: deque[float] = deque()
        self._paused_until = -math.inf

    def acquire(self) -> float:
        """Block until one more request may go, record it, and return the seconds waited."""
        waited_s = 0.0
        while True:
            with self._lock:
                now = self._clock.monotonic()
                delay_s = self._delay_s(now)
                if delay_s <= 0:
                    if self.limit is not None:
                        self._sent_at.append(now)
                    return waited_s
            # sleep outside the lock, then check again: another thread may have taken the slot
            self._clock.sleep(delay_s)
            waited_s += delay_s

    def pause(self, seconds: float) -> None:
        """Let no request of this vendor go for `seconds` (the vendor asked us to wait)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock.monotonic() + seconds)

    def _delay_s(self, now: float) -> float:
        pause_s = self._paused_until - now
        if self.limit is None:
            return pause_s
        while self._sent_at and self._sent_at[0] <= now - self.limit.window_s:
            self._sent_at.popleft()
        if len(self._sent_at) < self.limit.max_requests:
            return pause_s
        return max(pause_s, self._sent_at[0] + self.limit.window_s - now)


@dataclass(frozen=True)
class VendorStats:
    """What one vendor's HTTP traffic cost so far: the run summary line reads this."""

    vendor: str
    requests: int = 0
    retries: int = 0
    seconds: float = 0.0
    waited_s: float = 0.0


class VendorState:
    """The state shared by every client of one vendor: its limiter and its counters."""

    def __init__(self, name: str, limiter: SlidingWindowLimiter) -> None:
        self.name = name
        self.limiter = limiter
        self._lock = threading.Lock()
        self._stats = VendorStats(name)

    def count(
        self, *, requests: int = 0, retries: int = 0, seconds: float = 0.0, waited_s: float = 0.0
    ) -> None:
        """Add to the counters (thread-safe)."""
        with self._lock:
            current = self._stats
            self._stats = VendorStats(
                self.name,
                current.requests + requests,
                current.retries + retries,
                current.seconds + seconds,
                current.waited_s + waited_s,
            )

    def stats(self) -> VendorStats:
        """A snapshot of the counters."""
        return self._stats


class VendorRegistry:
    """The per-vendor limiters and counters of a process (tests make their own registry)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._vendors: dict[str, VendorState] = {}

    def vendor(self, name: str, rate_limit: RateLimit | None, clock: Clock) -> VendorState:
        """Return the shared state of vendor `name`, creating it on first use."""
        with self._lock:
            existing = self._vendors.get(name)
            if existing is None:
                existing = VendorState(name, SlidingWindowLimiter(rate_limit, clock))
                self._vendors[name] = existing
            elif existing.limiter.limit != rate_limit:
                logger.warning(
                    "`%s` already has the rate limit %s; ignoring %s for this client",
                    name,
                    existing.limiter.limit,
                    rate_limit,
                )
            return existing

    def stats(self) -> dict[str, VendorStats]:
        """Counters of every vendor used so far, by vendor name."""
        with self._lock:
            return {name: vendor.stats() for name, vendor in self._vendors.items()}

    def reset(self) -> None:
        """Forget every vendor (limits and counters)."""
        with self._lock:
            self._vendors.clear()


DEFAULT_REGISTRY = VendorRegistry()


def vendor_stats(vendor: str | None = None) -> dict[str, VendorStats]:
    """Counters from the default registry: all vendors, or the one named."""
    stats = DEFAULT_REGISTRY.stats()
    if vendor is None:
        return stats
    return {vendor: stats.get(vendor, VendorStats(vendor))}


# --- retry ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a transient failure.

    Attempt n (from 1) that fails without `Retry-After` waits between half and all of
    `min(backoff_max_s, backoff_initial_s * 2 ** (n - 1))`: jitter spreads clients that failed
    together. A `Retry-After` longer than `retry_after_max_s` is not waited for: the run stops
    with a transient error and the next scheduled run resumes from the cursor.
    """

    max_attempts: int = 6
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0
    retry_after_max_s: float = 300.0

    def backoff_s(self, attempt: int, draw: float) -> float:
        """Seconds to wait after failed attempt `attempt`, for a uniform `draw` in [0, 1)."""
        ceiling_s = min(self.backoff_max_s, self.backoff_initial_s * 2.0 ** (attempt - 1))
        return ceiling_s / 2 + draw * ceiling_s / 2


def is_retryable_status(status_code: int) -> bool:
    """408, 429 and every 5xx may pass by themselves; other statuses will not."""
    return status_code in (408, 429) or status_code >= 500


def parse_retry_after(value: str | None, now_epoch_s: float) -> float | None:
    """Seconds to wait from a `Retry-After` value (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        return _seconds_until_http_date(value, now_epoch_s)
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _seconds_until_http_date(value: str, now_epoch_s: float) -> float | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now_epoch_s)


class _RetryableFailure(Exception):
    """Raised inside the retry loop for an attempt worth repeating."""

    def __init__(
        self, reason: str, retry_after_s: float | None = None, status_code: int | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after_s = retry_after_s
        self.status_code = status_code


def setting_names(vendor: str, settings: Sequence[str]) -> str:
    """Spell dlt settings both ways: `sources.v.api_token` (env `SOURCES__V__API_TOKEN`)."""
    spelled = []
    for setting in settings:
        dotted = f"sources.{vendor}.{setting}"
        env = "__".join(part.upper() for part in dotted.split("."))
        spelled.append(f"`{dotted}` (env `{env}`)")
    return ", ".join(spelled)


# --- session and client ---------------------------------------------------------------------


class VendorSession(requests.Session):
    """A `requests.Session` whose `send()` applies the vendor's rate limit, retry and logging.

    Hand it to dlt's `RESTClient(session=...)` or use it through `VendorClient`. Response hooks
    (dlt's raise-on-error hook among them) run once, on the final response, so a 429 that is
    retried never reaches them.
    """

    def __init__(
        self,
        vendor: VendorState,
        *,
        retry: RetryPolicy,
        credential_settings: Sequence[str],
        timeout_s: tuple[float, float],
        clock: Clock,
        draw: Callable[[], float],
    ) -> None:
        super().__init__()
        self.vendor = vendor
        self.retry = retry
        self.credential_settings = tuple(credential_settings)
        self.timeout_s = timeout_s
        self._clock = clock
        self._draw = draw
        # (path fragment, limiter): endpoint families with a limit below the vendor's
        self.path_limiters: tuple[tuple[str, SlidingWindowLimiter], ...] = ()

    def send(self, request: PreparedRequest, **kwargs: Any) -> requests.Response:
        """Send `request` under the vendor's rate limit, retrying transient failures."""
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout_s
        hooks, request.hooks = request.hooks, default_hooks()
        started = self._clock.monotonic()
        try:
            response = self._send_with_retry(request, kwargs)
        finally:
            request.hooks = hooks
            self.vendor.count(seconds=self._clock.monotonic() - started)
        return _run_response_hooks(hooks, response, kwargs)

    def _send_with_retry(
        self, request: PreparedRequest, kwargs: dict[str, Any]
    ) -> requests.Response:
        # Retrying a POST is safe here: connectors only read, and use POST for search queries.
        retrying = Retrying(
            stop=_stop_after_attempt(self.retry.max_attempts),
            wait=self._wait_s,
            retry=retry_if_exception_type(_RetryableFailure),
            sleep=self._clock.sleep,
            before_sleep=self._before_sleep,
        )
        try:
            return retrying(self._attempt, request, kwargs)
        except RetryError as exc:
            failure = exc.last_attempt.exception()
            cause = (failure.__cause__ or failure) if failure else exc
            status = failure.status_code if isinstance(failure, _RetryableFailure) else None
            raise TransientSourceError(
                f"`{self.vendor.name}`: {request.method} {mask_url(str(request.url))} still "
                f"failed after {self.retry.max_attempts} attempts ({failure}); the vendor may be "
                "down or throttling: the next run resumes from the saved cursor",
                vendor=self.vendor.name,
                status_code=status,
            ) from cause

    def _attempt(self, request: PreparedRequest, kwargs: dict[str, Any]) -> requests.Response:
        waited_s = self.vendor.limiter.acquire()
        for fragment, limiter in self.path_limiters:
            if fragment in (request.path_url or ""):
                waited_s += limiter.acquire()
        self.vendor.count(requests=1, waited_s=waited_s)
        url = mask_url(str(request.url))
        started = self._clock.monotonic()
        try:
            response = super().send(request, **kwargs)
        except requests.exceptions.SSLError as exc:
            # a certificate problem does not pass by itself: stop instead of retrying
            raise SourceError(
                f"`{self.vendor.name}`: TLS failed for {url}: {exc}; check the base URL and the "
                "certificate store",
                vendor=self.vendor.name,
            ) from exc
        except (requests.ConnectionError, requests.Timeout) as exc:
            reason = f"{type(exc).__name__} after {self._clock.monotonic() - started:.3f} s"
            raise _RetryableFailure(reason) from exc
        except requests.exceptions.ChunkedEncodingError as exc:
            raise _RetryableFailure("connection broken while reading the body") from exc
        except requests.RequestException as exc:
            raise SourceError(
                f"`{self.vendor.name}`: {request.method} {url} failed: {exc}",
                vendor=self.vendor.name,
            ) from exc

        elapsed_s = self._clock.monotonic() - started
        logger.info(
            "`%s` %s %s -> %s in %.3f s",
            self.vendor.name,
            request.method,
            url,
            response.status_code,
            elapsed_s,
        )
        self._log_details(request, response)
        self._check_status(request, response)
        return response

    def _log_details(self, request: PreparedRequest, response: requests.Response) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        logger.debug(
            "`%s` request headers %s; response headers %s",
            self.vendor.name,
            _mask_headers(request.headers),
            _mask_headers(response.headers),
        )

    def _check_status(self, request: PreparedRequest, response: requests.Response) -> None:
        status = response.status_code
        if status in (401, 403):
            raise self._auth_error(request, response)
        if not is_retryable_status(status):
            return

        retry_after_s = parse_retry_after(response.headers.get("Retry-After"), self._clock.wall())
        if retry_after_s is not None and retry_after_s > self.retry.retry_after_max_s:
            raise TransientSourceError(
                f"`{self.vendor.name}` asked to wait {retry_after_s:.0f} s (Retry-After) "
                f"after {request.method} {mask_url(str(request.url))}, more than "
                f"retry_after_max_s={self.retry.retry_after_max_s:.0f}; the next run resumes "
                "from the saved cursor",
                vendor=self.vendor.name,
                status_code=status,
            )
        if retry_after_s is not None:
            self.vendor.limiter.pause(retry_after_s)
        # the body of a failed attempt is not needed: free the pooled connection now
        response.close()
        raise _RetryableFailure(f"HTTP {status}", retry_after_s, status)

    def _auth_error(self, request: PreparedRequest, response: requests.Response) -> SourceAuthError:
        settings = setting_names(self.vendor.name, self.credential_settings)
        if response.status_code == 401:
            problem = "refused the credentials"
            advice = f"Set a valid credential in {settings}"
        else:
            problem = "refused access"
            advice = f"Give the credential in {settings} the permission (scope) this needs"
        return SourceAuthError(
            f"`{self.vendor.name}` {problem} (HTTP {response.status_code}) for "
            f"{request.method} {mask_url(str(request.url))}: {_body_excerpt(response)}. "
            f"{advice} (.dlt/secrets.toml or the environment), then run again.",
            vendor=self.vendor.name,
            status_code=response.status_code,
            settings=self.credential_settings,
        )

    def _wait_s(self, state: RetryCallState) -> float:
        failure = state.outcome.exception() if state.outcome else None
        if isinstance(failure, _RetryableFailure) and failure.retry_after_s is not None:
            return failure.retry_after_s
        return self.retry.backoff_s(state.attempt_number, self._draw())

    def _before_sleep(self, state: RetryCallState) -> None:
        wait_s = float(state.next_action.sleep) if state.next_action else 0.0
        failure = state.outcome.exception() if state.outcome else None
        self.vendor.count(retries=1, waited_s=wait_s)
        logger.warning(
            "`%s`: %s; retry %d of %d in %.1f s",
            self.vendor.name,
            failure,
            state.attempt_number,
            self.retry.max_attempts - 1,
            wait_s,
        )


def _run_response_hooks(
    hooks: Mapping[str, Any], response: requests.Response, kwargs: Mapping[str, Any]
) -> requests.Response:
    """Run `response` hooks the way requests does: a hook may replace the response."""
    for hook in hooks.get("response") or ():
        replaced = hook(response, **kwargs)
        if replaced is not None:
            response = replaced
    return response


def _body_excerpt(response: requests.Response) -> str:
    text = " ".join(response.text.split())
    if not text:
        return f"empty body ({response.reason})"
    if len(text) > _BODY_EXCERPT_CHARS:
        text = text[:_BODY_EXCERPT_CHARS] + "..."
    return f"the vendor said: {text}"


class VendorClient:
    """The HTTP client of one vendor: a base URL and a `VendorSession`.

    `get()`/`post()` raise `SourceError` for an error status (unless listed in `accept`);
    `rest_client()` wraps the same session in dlt's `RESTClient` for paginated resources.
    """

    def __init__(self, vendor: str, base_url: str, session: VendorSession) -> None:
        self.vendor = vendor
        self.base_url = base_url.rstrip("/")
        self.session = session

    def url(self, path: str) -> str:
        """The absolute URL of `path` (already absolute URLs are kept)."""
        if path.startswith(("http://", "https://")):
            return path
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(
        self, method: str, path: str, *, accept: Collection[int] = (), **kwargs: Any
    ) -> requests.Response:
        """Send a request; raise `SourceError` for a 4xx/5xx status not in `accept`."""
        response = self.session.request(method, self.url(path), **kwargs)
        if response.status_code >= 400 and response.status_code not in accept:
            raise SourceError(
                f"`{self.vendor}` answered HTTP {response.status_code} to {method} "
                f"{mask_url(response.url)}: {_body_excerpt(response)}",
                vendor=self.vendor,
                status_code=response.status_code,
            )
        return response

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> requests.Response:
        """GET `path` with query `params`."""
        return self.request("GET", path, params=params, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        """POST `json` to `path`."""
        return self.request("POST", path, json=json, **kwargs)

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET `path` and decode the JSON body, with an error that says what came back."""
        response = self.get(path, params)
        try:
            return response.json()
        except ValueError as exc:
            raise SourceError(
                f"`{self.vendor}` answered {mask_url(response.url)} with a body that is not "
                f"JSON ({response.headers.get('Content-Type', 'no content type')})",
                vendor=self.vendor,
                status_code=response.status_code,
            ) from exc

    def rest_client(self, **kwargs: Any) -> RESTClient:
        """A dlt `RESTClient` on this client's base URL and session (paginator etc. in kwargs)."""
        return RESTClient(base_url=self.base_url, session=self.session, **kwargs)

    @property
    def stats(self) -> VendorStats:
        """This vendor's counters (shared with its other clients)."""
        return self.session.vendor.stats()

    def close(self) -> None:
        """Close the session's pooled connections."""
        self.session.close()

    def __enter__(self) -> VendorClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# attributes under which requests' and dlt's authenticators keep their credentials
_AUTH_SECRET_ATTRIBUTES = ("password", "token", "api_key", "access_token", "client_secret")


def _auth_secrets(auth: requests.auth.AuthBase | tuple[str, str] | None) -> list[str]:
    if isinstance(auth, tuple):
        return [auth[1]]
    found = (getattr(auth, name, None) for name in _AUTH_SECRET_ATTRIBUTES)
    return [value for value in found if isinstance(value, str)]


def make_client(
    vendor: str,
    base_url: str,
    *,
    auth: requests.auth.AuthBase | tuple[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    secrets: Iterable[str | None] = (),
    credential_settings: Sequence[str] = ("api_token",),
    rate_limit: RateLimit | None = None,
    path_limits: Mapping[str, RateLimit] | None = None,
    retry: RetryPolicy | None = None,
    timeout_s: tuple[float, float] = DEFAULT_TIMEOUT_S,
    clock: Clock | None = None,
    draw: Callable[[], float] = random.random,
    registry: VendorRegistry = DEFAULT_REGISTRY,
) -> VendorClient:
    """Build the client of `vendor` (its dlt source name, e.g. `zendesk`).

    `secrets` are the credential values: they are masked from then on, and so are those kept
    in `auth` by requests' and dlt's authenticators. `credential_settings` are the names, under
    `sources.<vendor>`, that a 401/403 message tells the user to fix. Every client of one
    vendor in `registry` shares the first client's rate limit. `path_limits` adds lower limits
    for the requests whose path contains a fragment (HubSpot's search, Zendesk's incremental
    exports); every attempt, retries included, waits for them too.
    """
    clock = clock or Clock()
    for secret in (*secrets, *_auth_secrets(auth)):
        register_secret(secret)

    session = VendorSession(
        registry.vendor(vendor, rate_limit, clock),
        retry=retry or RetryPolicy(),
        credential_settings=credential_settings,
        timeout_s=timeout_s,
        clock=clock,
        draw=draw,
    )
    session.path_limiters = tuple(
        (fragment, registry.vendor(f"{vendor} {fragment}", limit, clock).limiter)
        for fragment, limit in (path_limits or {}).items()
    )
    session.auth = auth
    session.headers.update(headers or {})
    return VendorClient(vendor, base_url, session)
