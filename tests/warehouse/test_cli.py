from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_ccpulse


@pytest.fixture
def embedded_env(tmp_path: Path) -> dict[str, str]:
    return {"CCPULSE_WAREHOUSE": f"chdb://{tmp_path / 'wh'}"}


@pytest.mark.parametrize(
    ("output_format", "expected"),
    [
        pytest.param("json", '"channel": "voice"', id="json"),
        pytest.param("csv", "channel,handled\nvoice,3\n", id="csv"),
        pytest.param("table", "channel  handled\n-------  -------\nvoice          3", id="table"),
    ],
)
def test_sql_prints_query_results(
    embedded_env: dict[str, str], output_format: str, expected: str
) -> None:
    result = run_ccpulse(
        "sql",
        "SELECT 'voice' AS channel, 3 AS handled",
        "--format",
        output_format,
        env=embedded_env,
    )

    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    if output_format == "json":
        assert json.loads(result.stdout) == [{"channel": "voice", "handled": 3}]


def test_a_bad_query_is_one_line_naming_the_problem(embedded_env: dict[str, str]) -> None:
    result = run_ccpulse("sql", "SELECT * FROM cc.nowhere", env=embedded_env)

    assert result.returncode == 2
    assert result.stderr.startswith(
        "ccpulse: error: the warehouse rejected `SELECT * FROM cc.nowhere`"
    )
    assert "Traceback" not in result.stderr


def test_an_unknown_command_lists_the_commands() -> None:
    result = run_ccpulse("frobnicate")

    assert result.returncode == 2
    assert "invalid choice: 'frobnicate'" in result.stderr
    assert "views" in result.stderr
    assert "sql" in result.stderr
