from __future__ import annotations

import logging

import pytest

from ccpulse.logs import SecretMaskFilter


@pytest.mark.parametrize(
    ("message", "args", "expected"),
    [
        pytest.param(
            "opened %s",
            ("clickhouse://ccpulse:hunter2@db:8123/default",),
            "opened clickhouse://ccpulse:***@db:8123/default",
            id="url-userinfo-in-args",
        ),
        pytest.param(
            "token is tok-123456 for zendesk", (), "token is *** for zendesk", id="known-secret"
        ),
        pytest.param("loaded %d rows", (42,), "loaded 42 rows", id="nothing-to-mask"),
    ],
)
def test_secrets_are_masked_in_log_lines(
    message: str, args: tuple[object, ...], expected: str
) -> None:
    record = logging.LogRecord("ccpulse", logging.INFO, __file__, 1, message, args, None)

    SecretMaskFilter(secrets=["tok-123456"]).filter(record)

    assert record.getMessage() == expected
