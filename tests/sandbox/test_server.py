"""The sandbox over real loopback HTTP, and its command line."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
import requests

from sandbox import World, env_lines, make_app, serve
from sandbox.cli import main


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = serve(make_app(World(seed=4, days=1, contacts_per_day=60)), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_token_then_query_over_loopback(base_url: str) -> None:
    env = dict(line.split("=", 1) for line in env_lines(int(base_url.rsplit(":", 1)[1])))
    token = requests.post(
        f"{env['SOURCES__GENESYS__BASE_URL']}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(env["SOURCES__GENESYS__CLIENT_ID"], env["SOURCES__GENESYS__CLIENT_SECRET"]),
        timeout=10,
    ).json()
    answer = requests.post(
        f"{env['SOURCES__GENESYS__BASE_URL']}/api/v2/analytics/conversations/details/query",
        json={"interval": "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z"},
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=10,
    )
    assert answer.status_code == 200
    assert answer.json()["totalHits"] > 0


def test_clock_and_truth_control_endpoints(base_url: str) -> None:
    before = requests.get(f"{base_url}/_sandbox/clock", timeout=10).json()["now_ms"]
    after = requests.post(f"{base_url}/_sandbox/clock", json={"hours": 1}, timeout=10).json()
    assert after["now_ms"] == before + 3_600_000
    rows = requests.get(
        f"{base_url}/_sandbox/truth?kpi=contacts_offered&grain=all", timeout=10
    ).json()
    assert rows[0]["value"] > 0


def test_credentials_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["credentials", "--port", "9100"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = {line.split("=", 1)[0] for line in lines}
    assert "SOURCES__GENESYS__BASE_URL=http://127.0.0.1:9100/genesys" in lines
    assert {
        "SOURCES__ZENDESK__API_TOKEN",
        "SOURCES__ZENDESK_QA__API_TOKEN",
        "SOURCES__BAMBOOHR__COMPANY_DOMAIN",
        "SOURCES__HUBSPOT__ACCESS_TOKEN",
    } <= names


def test_truth_command(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "truth",
        "--seed",
        "3",
        "--days",
        "2",
        "--contacts-per-day",
        "50",
        "--kpi",
        "average_handle_time",
        "--by",
        "channel,skill",
        "--grain",
        "day",
        "--format",
        "json",
    ]
    assert main(args) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows
    assert set(rows[0]) == {"period", "channel", "skill", "value", "numerator", "denominator"}


def test_truth_command_refuses_unknown_kpi(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["truth", "--days", "1", "--kpi", "nope"]) == 2
    assert "unknown KPI `nope`" in capsys.readouterr().err


def test_requests_adapter_serves_in_process() -> None:
    from sandbox.adapter import WSGIAdapter

    session = requests.Session()
    session.mount(
        "http://sandbox.test", WSGIAdapter(make_app(World(seed=4, days=1, contacts_per_day=40)))
    )
    answer = session.get(
        "http://sandbox.test/zendesk/api/v2/groups.json",
        auth=("api@support.sandbox-cc.example/token", "sandbox-zendesk-token"),
    )
    assert answer.status_code == 200
    assert answer.json()["groups"][0]["name"] == "Email Support"
    refused = session.post("http://sandbox.test/intercom/conversations/search", json={})
    assert refused.status_code == 401
    assert refused.headers["Content-Type"].startswith("application/json")
