"""Fixtures for the sandbox tests: small worlds and an in-process WSGI client."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from typing import Any

import pytest

from sandbox import FakeClock, World, make_app
from sandbox.credentials import credentials

CREDS = credentials(0)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """Calls a WSGI app directly, the way requests-mock or a test adapter would."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._genesys_token: str | None = None

    def call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        form: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        raw = b""
        if body is not None:
            raw = json.dumps(body).encode()
        elif form is not None:
            raw = form.encode()
        route, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "wsgi.input": io.BytesIO(raw),
            "CONTENT_LENGTH": str(len(raw)),
        }
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        captured: dict[str, Any] = {}

        def start_response(status: str, header_list: list[tuple[str, str]]) -> None:
            captured["status"] = int(status.split()[0])
            captured["headers"] = {k.lower(): v for k, v in header_list}

        payload = b"".join(self.app(environ, start_response))
        return Answer(captured["status"], captured["headers"], payload)

    def auth(self, vendor: str) -> dict[str, str]:
        """Headers that carry the sandbox's credentials for a vendor."""
        values = CREDS[vendor]
        if vendor == "genesys":
            return {"Authorization": f"Bearer {self.genesys_token()}"}
        if vendor in ("intercom", "hubspot"):
            return {"Authorization": f"Bearer {values['access_token']}"}
        if vendor == "zendesk-qa":
            return {"Authorization": f"Bearer {values['api_token']}"}
        if vendor == "zendesk":
            return basic(f"{values['email']}/token", values["api_token"])
        if vendor == "bamboohr":
            return basic(values["api_key"], "x")
        return basic(values["api_key"], "")

    def genesys_token(self) -> str:
        if self._genesys_token is None:
            values = CREDS["genesys"]
            answer = self.call(
                "POST",
                "/genesys/oauth/token",
                form="grant_type=client_credentials",
                headers=basic(values["client_id"], values["client_secret"]),
            )
            self._genesys_token = answer.json()["access_token"]
        return self._genesys_token

    def get(self, vendor: str, path: str, **kwargs: Any) -> Answer:
        return self.call("GET", f"/{vendor}{path}", headers=self.auth(vendor), **kwargs)

    def post(self, vendor: str, path: str, body: Any = None) -> Answer:
        return self.call("POST", f"/{vendor}{path}", body=body, headers=self.auth(vendor))


def basic(user: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def no_limits() -> dict[str, Any]:
    """Rate limits high enough never to trigger (paging tests make many requests)."""
    from sandbox import RateLimit

    buckets = (
        "genesys",
        "intercom",
        "zendesk",
        "zendesk-export",
        "delighted",
        "hubspot",
        "hubspot-search",
        "bamboohr",
        "assembled",
        "zendesk-qa",
    )
    return {name: RateLimit(10**9, 1.0) for name in buckets}


@pytest.fixture(scope="session")
def small_world() -> World:
    """Three days, 150 contacts a day, two chats at a time; shared read-only (tests must not
    move its clock)."""
    return World(seed=11, days=3, contacts_per_day=150, chat_slots=2)


@pytest.fixture(scope="session")
def client(small_world: World) -> Client:
    return Client(make_app(small_world, rate_limits=no_limits(), clock=FakeClock()))


@pytest.fixture
def fresh_world() -> World:
    """A world of its own, for tests that move the clock."""
    return World(seed=5, days=2, contacts_per_day=120)
