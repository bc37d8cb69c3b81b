"""The shared HTTP layer: retry, Retry-After, rate limit, auth errors, masking, counters.

Nothing here sleeps or reaches the network: a fake clock records the sleeps and requests-mock
answers.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest
import requests
import requests_mock as rm
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from dlt.sources.helpers.rest_client.paginators import JSONLinkPaginator

from connectors.http import (
    DEFAULT_TIMEOUT_S,
    Clock,
    RateLimit,
    RetryPolicy,
    SlidingWindowLimiter,
    SourceAuthError,
    SourceError,
    TransientSourceError,
    VendorClient,
    VendorRegistry,
    install_log_masking,
    make_client,
    mask_text,
    mask_url,
    parse_retry_after,
    register_secret,
)

BASE_URL = "https://acme.example.com/api/v2"
API_TOKEN = "tok-3f9a1c77e2b54d0c"
API_KEY = "key-88d1e0aa5c4f"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """Monotonic and wall time that only move when something sleeps (thread-safe)."""

    def __init__(self, wall: datetime = NOW) -> None:
        self.now_s = 1000.0
        self.wall_offset_s = wall.timestamp() - self.now_s
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        with self._lock:
            return self.now_s

    def wall(self) -> float:
        with self._lock:
            return self.now_s + self.wall_offset_s

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)
            self.now_s += max(seconds, 0.0)

    def clock(self) -> Clock:
        return Clock(monotonic=self.monotonic, wall=self.wall, sleep=self.sleep)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def registry() -> VendorRegistry:
    return VendorRegistry()


@pytest.fixture
def make(fake_clock: FakeClock, registry: VendorRegistry) -> Any:
    """Build a zendesk-like client on the fake clock, with a deterministic jitter draw."""

    def build(**overrides: Any) -> VendorClient:
        options: dict[str, Any] = {
            "headers": {"Authorization": f"Bearer {API_TOKEN}"},
            "secrets": [API_TOKEN, API_KEY],
            "credential_settings": ["api_token"],
            "retry": RetryPolicy(max_attempts=4, backoff_initial_s=1.0, backoff_max_s=8.0),
            "clock": fake_clock.clock(),
            "draw": lambda: 1.0,
            "registry": registry,
        }
        options.update(overrides)
        return make_client("zendesk", BASE_URL, **options)

    return build


@pytest.fixture
def http() -> Iterator[rm.Mocker]:
    with rm.Mocker() as mocker:
        yield mocker


# --- retry --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_answer", "expected_sleep_s"),
    [
        ({"status_code": 429, "headers": {"Retry-After": "7"}}, 7.0),
        ({"status_code": 429, "headers": {"Retry-After": "0"}}, 0.0),
        (
            {
                "status_code": 503,
                "headers": {"Retry-After": format_datetime(NOW + timedelta(seconds=30), True)},
            },
            30.0,
        ),
        ({"status_code": 429}, 1.0),
        ({"status_code": 500}, 1.0),
        ({"status_code": 502}, 1.0),
        ({"status_code": 408}, 1.0),
        ({"exc": requests.exceptions.ConnectTimeout}, 1.0),
        ({"exc": requests.exceptions.ReadTimeout}, 1.0),
        ({"exc": requests.exceptions.ConnectionError}, 1.0),
        ({"exc": requests.exceptions.ChunkedEncodingError}, 1.0),
    ],
    ids=[
        "429-retry-after-seconds",
        "429-retry-after-zero",
        "503-retry-after-http-date",
        "429-without-retry-after",
        "500",
        "502",
        "408",
        "connect-timeout",
        "read-timeout",
        "connection-error",
        "broken-body",
    ],
)
def test_a_transient_failure_is_retried(
    make: Any,
    http: rm.Mocker,
    fake_clock: FakeClock,
    first_answer: dict[str, Any],
    expected_sleep_s: float,
) -> None:
    http.get(f"{BASE_URL}/tickets", [first_answer, {"json": {"tickets": []}}])
    client = make()

    response = client.get("tickets")

    assert response.json() == {"tickets": []}
    assert fake_clock.sleeps == [pytest.approx(expected_sleep_s)]
    assert (client.stats.requests, client.stats.retries) == (2, 1)


def test_backoff_grows_and_is_capped(make: Any, http: rm.Mocker, fake_clock: FakeClock) -> None:
    http.get(f"{BASE_URL}/tickets", [{"status_code": 503}] * 5 + [{"json": {}}])
    client = make(retry=RetryPolicy(max_attempts=6, backoff_initial_s=1.0, backoff_max_s=4.0))

    client.get("tickets")

    assert fake_clock.sleeps == [1.0, 2.0, 4.0, 4.0, 4.0]


@pytest.mark.parametrize(
    ("attempt", "draw", "expected_s"),
    [(1, 0.0, 0.5), (1, 1.0, 1.0), (3, 0.0, 2.0), (3, 0.5, 3.0), (10, 0.0, 30.0), (10, 1.0, 60.0)],
    ids=["first-low", "first-high", "third-low", "third-mid", "capped-low", "capped-high"],
)
def test_backoff_has_jitter_within_half_and_all(
    attempt: int, draw: float, expected_s: float
) -> None:
    policy = RetryPolicy(backoff_initial_s=1.0, backoff_max_s=60.0)
    assert policy.backoff_s(attempt, draw) == pytest.approx(expected_s)


def test_retries_stop_with_a_transient_error(
    make: Any, http: rm.Mocker, fake_clock: FakeClock
) -> None:
    http.get(f"{BASE_URL}/tickets", status_code=500)
    client = make()

    with pytest.raises(TransientSourceError, match="after 4 attempts") as raised:
        client.get("tickets")

    assert http.call_count == 4
    assert len(fake_clock.sleeps) == 3
    assert raised.value.vendor == "zendesk"


def test_an_exhausted_retry_reports_the_last_status(make: Any, http: rm.Mocker) -> None:
    http.get(f"{BASE_URL}/tickets", status_code=503)

    with pytest.raises(TransientSourceError) as raised:
        make().get("tickets")

    assert raised.value.status_code == 503


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (requests.exceptions.SSLError("certificate verify failed"), "TLS failed"),
        (requests.exceptions.InvalidURL("bad host"), "failed: bad host"),
    ],
    ids=["tls", "invalid-url"],
)
def test_a_terminal_transport_error_is_not_retried(
    make: Any, http: rm.Mocker, fake_clock: FakeClock, failure: Exception, expected: str
) -> None:
    http.get(f"{BASE_URL}/tickets", exc=failure)

    with pytest.raises(SourceError, match=expected) as raised:
        make().get("tickets")

    assert not isinstance(raised.value, TransientSourceError)
    assert raised.value.__cause__ is failure
    assert (http.call_count, fake_clock.sleeps) == (1, [])


def test_a_connection_error_keeps_its_cause(make: Any, http: rm.Mocker) -> None:
    http.get(f"{BASE_URL}/tickets", exc=requests.exceptions.ConnectionError("refused"))

    with pytest.raises(TransientSourceError) as raised:
        make().get("tickets")

    assert isinstance(raised.value.__cause__, requests.exceptions.ConnectionError)


def test_a_retry_after_beyond_the_limit_stops_at_once(
    make: Any, http: rm.Mocker, fake_clock: FakeClock
) -> None:
    http.get(f"{BASE_URL}/tickets", status_code=429, headers={"Retry-After": "3600"})

    with pytest.raises(TransientSourceError, match="3600 s"):
        make().get("tickets")

    assert (http.call_count, fake_clock.sleeps) == (1, [])


def test_a_retry_after_holds_back_every_client_of_the_vendor(
    make: Any, http: rm.Mocker, fake_clock: FakeClock
) -> None:
    http.get(f"{BASE_URL}/tickets", [{"status_code": 429, "headers": {"Retry-After": "20"}}, {}])
    http.get(f"{BASE_URL}/users", json={})
    first, second = make(), make()
    started_s = fake_clock.monotonic()

    first.get("tickets")
    second.get("users")

    assert fake_clock.monotonic() - started_s == pytest.approx(20.0)


@pytest.mark.parametrize(
    ("status_code", "accept", "raises"),
    [(404, (), True), (404, (404,), False), (400, (), True), (200, (), False)],
    ids=["404-raises", "404-accepted", "400-raises", "200"],
)
def test_other_statuses_are_not_retried(
    make: Any, http: rm.Mocker, status_code: int, accept: tuple[int, ...], raises: bool
) -> None:
    http.get(f"{BASE_URL}/tickets/9", status_code=status_code, text="no such ticket")
    client = make()

    if raises:
        with pytest.raises(SourceError, match=f"HTTP {status_code}.*no such ticket"):
            client.get("tickets/9", accept=accept)
    else:
        assert client.get("tickets/9", accept=accept).status_code == status_code
    assert http.call_count == 1


def test_a_default_timeout_is_always_set(make: Any, http: rm.Mocker) -> None:
    http.get(f"{BASE_URL}/tickets", json={})
    make().get("tickets")
    assert http.last_request.timeout == DEFAULT_TIMEOUT_S


@pytest.mark.parametrize(
    ("value", "expected_s"),
    [
        ("12", 12.0),
        (" 1.5 ", 1.5),
        ("-4", 0.0),
        (format_datetime(NOW + timedelta(seconds=90), True), 90.0),
        (format_datetime(NOW - timedelta(seconds=90), True), 0.0),
        ("Sun, 01 Mar 2026 12:01:00", 60.0),
        ("soon", None),
        ("inf", None),
        ("", None),
        (None, None),
    ],
    ids=[
        "seconds",
        "fraction",
        "negative",
        "http-date",
        "http-date-past",
        "date-without-zone",
        "garbage",
        "infinite",
        "empty",
        "absent",
    ],
)
def test_parse_retry_after(value: str | None, expected_s: float | None) -> None:
    assert parse_retry_after(value, NOW.timestamp()) == expected_s


# --- authentication -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status_code", "words"),
    [(401, "refused the credentials"), (403, "permission")],
    ids=["401", "403"],
)
def test_an_auth_failure_stops_and_names_the_setting(
    make: Any, http: rm.Mocker, fake_clock: FakeClock, status_code: int, words: str
) -> None:
    http.get(
        f"{BASE_URL}/tickets",
        status_code=status_code,
        json={"error": f"invalid token {API_TOKEN}"},
    )

    with pytest.raises(SourceAuthError) as raised:
        make().get("tickets", params={"api_key": API_KEY})

    message = str(raised.value)
    assert words in message
    assert "`sources.zendesk.api_token`" in message
    assert "SOURCES__ZENDESK__API_TOKEN" in message
    assert API_TOKEN not in message
    assert API_KEY not in message
    assert (http.call_count, fake_clock.sleeps) == (1, [])
    assert raised.value.settings == ("api_token",)


@pytest.mark.parametrize(
    ("auth", "secret"),
    [
        (("agent@acme.example.com/token", "basic-pass-9d8e7f"), "basic-pass-9d8e7f"),
        (BearerTokenAuth(token="bearer-tok-5a6b7c"), "bearer-tok-5a6b7c"),
    ],
    ids=["basic-tuple", "dlt-bearer"],
)
def test_credentials_in_auth_are_masked_too(
    make: Any, http: rm.Mocker, auth: Any, secret: str
) -> None:
    http.get(f"{BASE_URL}/tickets", status_code=401, text=f"rejected {secret}")

    with pytest.raises(SourceAuthError) as raised:
        make(auth=auth, headers={}, secrets=[]).get("tickets")

    assert "rejected ***" in str(raised.value)


def test_the_setting_names_follow_dlt(make: Any, http: rm.Mocker) -> None:
    http.get(f"{BASE_URL}/tickets", status_code=401)
    client = make(credential_settings=["credentials.email", "credentials.api_token"])

    with pytest.raises(SourceAuthError) as raised:
        client.get("tickets")

    assert "`sources.zendesk.credentials.email`" in str(raised.value)
    assert "SOURCES__ZENDESK__CREDENTIALS__API_TOKEN" in str(raised.value)


# --- masking ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://x.io/a?access_token=abc123&page=2",
            "https://x.io/a?access_token=***&page=2",
        ),
        ("https://x.io/a?API_KEY=abc123", "https://x.io/a?API_KEY=***"),
        (
            "https://x.io/a?client_secret=s3cr3t&hapikey=k",
            "https://x.io/a?client_secret=***&hapikey=***",
        ),
        ("https://user:pa55@x.io/a", "https://***@x.io/a"),
        ("https://x.io/a?page_token=p2&cursor=c9", "https://x.io/a?page_token=p2&cursor=c9"),
        ("https://x.io/a?updated_since=1700000000", "https://x.io/a?updated_since=1700000000"),
    ],
    ids=["access-token", "api-key-upper", "client-secret", "userinfo", "cursor-kept", "plain"],
)
def test_mask_url(url: str, expected: str) -> None:
    assert mask_url(url) == expected


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("headers={'Authorization': 'Bearer abc.def.ghi'}", "abc.def.ghi"),
        ('{"client_secret": "zz-top-secret"}', "zz-top-secret"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
        ("GET https://bob:hunter22@x.io/ failed", "hunter22"),
        ("x-api-key=kkkkkkkk", "kkkkkkkk"),
        ("url=https://x.io/?password=hunter33&a=1", "hunter33"),
    ],
    ids=["dict-header", "json", "basic-header", "userinfo", "api-key-pair", "embedded-url"],
)
def test_mask_text(text: str, secret: str) -> None:
    assert secret not in mask_text(text)


def test_a_registered_secret_is_masked_anywhere() -> None:
    register_secret("plain-value-4711x")
    assert mask_text("the vendor echoed plain-value-4711x back") == "the vendor echoed *** back"


def test_a_short_value_is_not_treated_as_a_secret() -> None:
    register_secret("abc")
    assert mask_text("abc def") == "abc def"


def test_no_secret_in_logs_or_errors(
    make: Any, http: rm.Mocker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    http.get(
        f"{BASE_URL}/tickets",
        [
            {"status_code": 429, "headers": {"Retry-After": "1"}},
            {"json": {"echo": API_TOKEN}, "headers": {"Set-Cookie": f"session={API_KEY}"}},
        ],
    )
    http.get(f"{BASE_URL}/users", status_code=401, text=f"bad key {API_KEY}")
    http.get(f"{BASE_URL}/groups", exc=requests.exceptions.ConnectionError(f"to {API_KEY}"))
    client = make(retry=RetryPolicy(max_attempts=2))
    errors: list[str] = []

    client.get("tickets", params={"api_key": API_KEY})
    for path in ("users", "groups"):
        try:
            client.get(path, params={"access_token": API_TOKEN})
        except SourceError as exc:
            errors.append(str(exc))

    own_lines = "\n".join(
        record.getMessage() for record in caplog.records if record.name.startswith("connectors")
    )
    assert len(errors) == 2
    assert "api_key=***" in own_lines
    assert API_TOKEN not in own_lines + "\n".join(errors)
    assert API_KEY not in own_lines + "\n".join(errors)


def test_no_secret_in_any_captured_line_once_masking_is_installed(
    make: Any, http: rm.Mocker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    install_log_masking([caplog.handler])
    http.get(f"{BASE_URL}/tickets", [{"status_code": 503}, {"json": {"echo": API_TOKEN}}])

    # requests-mock, like urllib3, logs the full URL at DEBUG: the handler filter masks it
    make().get("tickets", params={"api_key": API_KEY, "access_token": API_TOKEN})

    assert "requests_mock" in caplog.text
    assert API_TOKEN not in caplog.text
    assert API_KEY not in caplog.text


def test_the_masking_filter_covers_other_loggers(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    install_log_masking([caplog.handler])
    register_secret(API_TOKEN)
    foreign = logging.getLogger("some.http.library")

    foreign.debug("GET /tickets?access_token=%s HTTP/1.1", "visible-in-url")
    try:
        raise ValueError(f"token {API_TOKEN}")
    except ValueError:
        logging.getLogger("some.library").exception("request failed")

    assert "visible-in-url" not in caplog.text
    assert API_TOKEN not in caplog.text
    assert "access_token=***" in caplog.text


def test_masking_installs_on_root_handlers_and_dlt(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)

    masking = install_log_masking()
    logging.getLogger("some.client").info("Authorization: Bearer %s", "eyJhbGciOi.visible")

    assert masking in caplog.handler.filters
    assert masking in logging.getLogger("dlt").filters
    assert "eyJhbGciOi.visible" not in caplog.text
    assert install_log_masking() is masking


def test_one_info_line_per_request(
    make: Any, http: rm.Mocker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="connectors.http")
    http.get(f"{BASE_URL}/tickets", [{"status_code": 500}, {"json": {}}])

    make().get("tickets", params={"access_token": API_TOKEN})

    info = [record for record in caplog.records if record.levelno == logging.INFO]
    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(info) == 2
    assert len(warnings) == 1
    assert all("access_token=***" in record.getMessage() for record in info)


# --- rate limit ---------------------------------------------------------------------------


def _max_in_any_window(sent_at: list[float], window_s: float) -> int:
    return max(
        sum(1 for other in sent_at if moment - window_s < other <= moment) for moment in sent_at
    )


@pytest.mark.parametrize(
    ("limit", "requests_sent"),
    [(RateLimit.per_second(5), 23), (RateLimit.per_minute(700), 1500), (RateLimit(1, 0.25), 9)],
    ids=["5-per-second", "700-per-minute", "1-per-quarter-second"],
)
def test_the_limit_is_used_fully_and_never_exceeded(
    fake_clock: FakeClock, limit: RateLimit, requests_sent: int
) -> None:
    limiter = SlidingWindowLimiter(limit, fake_clock.clock())
    sent_at = []

    for _ in range(requests_sent):
        limiter.acquire()
        sent_at.append(fake_clock.monotonic() - 1000.0)

    assert _max_in_any_window(sent_at, limit.window_s) == limit.max_requests
    # fully used: each request goes the moment the window allows it, never later
    expected = [(index // limit.max_requests) * limit.window_s for index in range(requests_sent)]
    assert sent_at == pytest.approx(expected)


def test_the_limit_holds_across_threads(fake_clock: FakeClock) -> None:
    limit = RateLimit.per_second(10)
    limiter = SlidingWindowLimiter(limit, fake_clock.clock())
    sent_at: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            limiter.acquire()
            with lock:
                sent_at.append(fake_clock.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(sent_at) == 100
    assert _max_in_any_window(sent_at, limit.window_s) <= limit.max_requests


def test_clients_of_one_vendor_share_limit_and_counters(
    make: Any, http: rm.Mocker, fake_clock: FakeClock
) -> None:
    http.get(f"{BASE_URL}/tickets", json={})
    first = make(rate_limit=RateLimit.per_second(2))
    second = make(rate_limit=RateLimit.per_second(2))

    for client in (first, second, first, second):
        client.get("tickets")

    assert fake_clock.sleeps == [pytest.approx(1.0)]
    assert first.stats.requests == second.stats.requests == 4
    assert first.stats.waited_s == pytest.approx(1.0)


def test_registry_reports_every_vendor(
    make: Any, http: rm.Mocker, registry: VendorRegistry
) -> None:
    http.get(f"{BASE_URL}/tickets", json={})
    make().get("tickets")

    stats = registry.stats()

    assert list(stats) == ["zendesk"]
    assert (stats["zendesk"].requests, stats["zendesk"].retries) == (1, 0)


# --- dlt ----------------------------------------------------------------------------------


def test_dlt_rest_client_paginates_through_the_session(
    make: Any, http: rm.Mocker, fake_clock: FakeClock
) -> None:
    http.get(
        f"{BASE_URL}/tickets",
        [
            {"status_code": 429, "headers": {"Retry-After": "2"}},
            {"json": {"tickets": [{"id": 1}, {"id": 2}], "next_page": f"{BASE_URL}/tickets/p2"}},
        ],
    )
    http.get(
        f"{BASE_URL}/tickets/p2",
        [{"status_code": 503}, {"json": {"tickets": [{"id": 3}], "next_page": None}}],
    )
    client = make()
    rest = client.rest_client(
        paginator=JSONLinkPaginator(next_url_path="next_page"), data_selector="tickets"
    )

    pages = list(rest.paginate("tickets"))

    assert [ticket["id"] for page in pages for ticket in page] == [1, 2, 3]
    assert fake_clock.sleeps == [2.0, 1.0]
    assert (client.stats.requests, client.stats.retries) == (4, 2)


def test_dlt_rest_client_gets_the_auth_error(make: Any, http: rm.Mocker) -> None:
    http.get(f"{BASE_URL}/tickets", status_code=401)
    rest = make().rest_client(data_selector="tickets")

    with pytest.raises(SourceAuthError, match="SOURCES__ZENDESK__API_TOKEN"):
        list(rest.paginate("tickets"))


def test_dlt_rest_client_still_raises_for_a_final_error(make: Any, http: rm.Mocker) -> None:
    http.get(f"{BASE_URL}/tickets", status_code=404)
    rest = make().rest_client(data_selector="tickets")

    with pytest.raises(requests.HTTPError, match="404"):
        list(rest.paginate("tickets"))
