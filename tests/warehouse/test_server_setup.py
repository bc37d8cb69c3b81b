"""The ClickHouse server set-up of `make up`, checked as files (Docker does not run in CI)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose_service() -> dict:  # type: ignore[type-arg]
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return compose["services"]["clickhouse"]  # type: ignore[no-any-return]


def test_the_server_image_is_a_pinned_25_release() -> None:
    image = compose_service()["image"]
    assert re.fullmatch(r"clickhouse/clickhouse-server:25\.\d+(\.\d+)*", image), image


def test_the_data_lives_in_a_named_volume_and_health_is_checked() -> None:
    service = compose_service()
    assert "clickhouse-data:/var/lib/clickhouse" in service["volumes"]
    assert "/ping" in " ".join(service["healthcheck"]["test"])


def test_the_bi_user_can_only_select_from_kpi_views() -> None:
    script = (ROOT / "docker/clickhouse/initdb/01-users.sh").read_text()
    grants = re.findall(r"GRANT (.+?) TO bi", script)
    assert grants == ["SELECT ON kpi.*"]
    profiles = (ROOT / "docker/clickhouse/users.d/ccpulse.xml").read_text()
    assert "<readonly>2</readonly>" in profiles
    assert "<default_normal_view_sql_security>DEFINER" in profiles


def test_ports_are_bound_to_loopback_only() -> None:
    assert all(port.startswith("127.0.0.1:") for port in compose_service()["ports"])
