from __future__ import annotations

import pytest

from ccpulse.errors import IdentifierError
from ccpulse.identifiers import qualified_name, quote_identifier


@pytest.mark.parametrize(
    ("name", "quoted"),
    [
        pytest.param("contacts", "`contacts`", id="plain"),
        pytest.param("raw_zendesk___tickets", "`raw_zendesk___tickets`", id="dlt-prefixed"),
        pytest.param("_dlt_loads", "`_dlt_loads`", id="leading-underscore"),
    ],
)
def test_quotes_safe_names(name: str, quoted: str) -> None:
    assert quote_identifier(name) == quoted


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("", id="empty"),
        pytest.param("1st", id="leading-digit"),
        pytest.param("a`; DROP TABLE x; --", id="backtick-injection"),
        pytest.param("contacts; DROP", id="statement-separator"),
        pytest.param("naïve", id="non-ascii"),
        pytest.param("a" * 256, id="too-long"),
        pytest.param("cc.contacts", id="dotted"),
    ],
)
def test_refuses_unsafe_names(name: str) -> None:
    with pytest.raises(IdentifierError, match="not a valid identifier"):
        quote_identifier(name)


def test_qualified_name_validates_both_parts() -> None:
    assert qualified_name("cc", "contacts") == "`cc`.`contacts`"
    with pytest.raises(IdentifierError):
        qualified_name("cc", "x`y")


def test_string_literals_escape_quotes_and_backslashes(embedded_warehouse) -> None:  # type: ignore[no-untyped-def]
    from ccpulse.identifiers import string_literal

    text = "agent's note \\ 'quoted'"
    assert embedded_warehouse.scalar(f"SELECT {string_literal(text)}") == text
