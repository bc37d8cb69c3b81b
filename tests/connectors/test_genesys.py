"""Genesys Cloud CX against the sandbox: lifecycle, faults, crash, bad credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from ccpulse.warehouse import Warehouse
from connectors.telephony.genesys import _login_host, genesys_source
from tests.connectors.harness import (
    VendorCase,
    assert_bad_credential_named,
    make_pipeline,
    make_source,
    new_world,
    run_lifecycle,
    sandbox_for,
)
from tests.connectors.sandbox_mount import mounted

CASE = VendorCase(
    name="genesys",
    prefix="genesys",
    source=genesys_source,
    tables={
        "conversations": (("conversation_id",), "conversation_start"),
        "user_presence": (("user_id", "start_time"), "end_time"),
        "user_routing_status": (("user_id", "start_time"), "end_time"),
        "users": (("id",), None),
        "queues": (("id",), None),
        "skills": (("id",), None),
        "wrapup_codes": (("id",), None),
    },
    # token, 3 day-windows of conversations and of user details, 4 directory lists
    second_run_requests=11,
)


def test_runs_are_incremental_exact_and_survive_faults_and_a_crash(
    embedded_warehouse: Warehouse,
    unique_name: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    run_lifecycle(CASE, embedded_warehouse, unique_name, tmp_path, caplog)


@pytest.mark.parametrize("setting", ["client_id", "client_secret"])
def test_a_refused_credential_names_the_settings(
    embedded_warehouse: Warehouse, setting: str, tmp_path: Path
) -> None:
    assert_bad_credential_named(CASE, setting, "wrong-credential-42", tmp_path)


@pytest.mark.parametrize(
    ("base_url", "login_host"),
    [
        ("https://api.mypurecloud.com", "https://login.mypurecloud.com"),
        ("https://api.euw2.pure.cloud", "https://login.euw2.pure.cloud"),
        ("http://127.0.0.1:8765/genesys", "http://127.0.0.1:8765/genesys"),
    ],
    ids=["us-east", "eu-west-2", "sandbox"],
)
def test_the_login_host_follows_the_region(base_url: str, login_host: str) -> None:
    assert _login_host(base_url) == login_host


def test_an_expired_token_is_renewed_once(unique_name: str, tmp_path: Path) -> None:
    sandbox = sandbox_for(new_world())
    # the fourth request is a data request made with the first token: refuse it as expired
    sandbox.traffic.script = {4: 401}

    with mounted(sandbox):
        make_pipeline(unique_name, tmp_path).extract(make_source(CASE, sandbox))

    tokens = [path for _, path in sandbox.traffic.requests if path.endswith("/oauth/token")]
    assert len(tokens) == 2
    assert sandbox.traffic.answers.count(401) == 1
