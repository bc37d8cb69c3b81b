from __future__ import annotations

from pathlib import Path

import pytest

from ccpulse.errors import ConfigurationError
from ccpulse.settings import WarehouseSettings

SECRET = "s3cr3t-p4ss"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param(
            "chdb:///var/lib/ccpulse",
            WarehouseSettings(kind="chdb", path=Path("/var/lib/ccpulse")),
            id="embedded-absolute",
        ),
        pytest.param(
            f"clickhouse://ccpulse:{SECRET}@db.internal:9123/analytics",
            WarehouseSettings(
                kind="clickhouse",
                host="db.internal",
                port=9123,
                username="ccpulse",
                password=SECRET,
                database="analytics",
            ),
            id="server-full",
        ),
        pytest.param(
            "clickhouse://localhost",
            WarehouseSettings(kind="clickhouse", host="localhost", port=8123),
            id="server-defaults",
        ),
        pytest.param(
            "clickhouses://u:p%40ss@ch.example.com/default",
            WarehouseSettings(
                kind="clickhouse",
                host="ch.example.com",
                port=8443,
                username="u",
                password="p@ss",
                secure=True,
            ),
            id="server-tls-escaped-password",
        ),
    ],
)
def test_parses_warehouse_urls(url: str, expected: WarehouseSettings) -> None:
    assert WarehouseSettings.from_url(url) == expected


def test_relative_embedded_path_is_resolved_from_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert WarehouseSettings.from_url("chdb://data/wh").path == tmp_path / "data" / "wh"


def test_unset_setting_means_the_embedded_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = WarehouseSettings.from_env({})
    assert settings.kind == "chdb"
    assert settings.path == tmp_path / ".ccpulse" / "warehouse"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        pytest.param("postgres://u:pw@h/db", "must start with `chdb://`", id="unknown-scheme"),
        pytest.param("localhost:8123", "must start with `chdb://`", id="no-scheme"),
        pytest.param("chdb://", "names no folder", id="embedded-without-folder"),
        pytest.param(f"clickhouse://u:{SECRET}@/db", "names no host", id="no-host"),
        pytest.param(f"clickhouse://u:{SECRET}@h:port/db", "not a number", id="bad-port"),
        pytest.param(f"mysql://u:{SECRET}@h/db", "must start with", id="secret-in-bad-url"),
        pytest.param("clickhouse://h/a/b", "one database", id="two-databases"),
    ],
)
def test_bad_urls_name_the_setting_and_hide_the_password(url: str, message: str) -> None:
    with pytest.raises(ConfigurationError) as raised:
        WarehouseSettings.from_url(url)

    text = str(raised.value)
    assert message in text
    assert "CCPULSE_WAREHOUSE" in text
    assert SECRET not in text


def test_password_never_shows_in_repr_or_redacted_url() -> None:
    settings = WarehouseSettings.from_url(f"clickhouse://ccpulse:{SECRET}@h:8123/d")
    assert SECRET not in repr(settings)
    assert settings.redacted_url == "clickhouse://ccpulse:***@h:8123/d"
