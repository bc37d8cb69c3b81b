"""The one place where names become SQL.

ClickHouse identifiers are quoted with backticks. Every database, table and column name that ccpulse
puts into a statement passes through `quote_identifier` (or `qualified_name`), which refuses names
that are empty, too long or contain characters we never create ourselves. Values never go through
here: they are bound as query parameters, or, where ClickHouse takes no parameter (a DDL
comment), written with `string_literal`.
"""

from __future__ import annotations

import re

from ccpulse.errors import IdentifierError

__all__ = [
    "checked_load_id",
    "qualified_name",
    "quote_identifier",
    "string_literal",
    "validate_identifier",
]

# Letters, digits and underscores, not starting with a digit: what dlt's snake_case naming
# produces and what every name of the unified model uses. Anything else is refused rather than
# escaped, so that a name read from a vendor payload can never smuggle SQL into a statement.
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_LENGTH = 255


def validate_identifier(name: str) -> str:
    """Return `name` unchanged if it is a safe identifier, else raise `IdentifierError`."""
    if not isinstance(name, str) or not _IDENTIFIER.match(name) or len(name) > _MAX_LENGTH:
        raise IdentifierError(
            f"`{name!r}` is not a valid identifier: use letters, digits and underscores, "
            f"not starting with a digit, at most {_MAX_LENGTH} characters"
        )
    return name


def quote_identifier(name: str) -> str:
    """Validate `name` and return it quoted with backticks."""
    return f"`{validate_identifier(name)}`"


def qualified_name(database: str, table: str) -> str:
    """Return `database`.`table`, both validated and quoted."""
    return f"{quote_identifier(database)}.{quote_identifier(table)}"


def string_literal(text: str) -> str:
    """Return `text` as a single-quoted ClickHouse string literal, escaped."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def checked_load_id(load_id: str) -> str:
    """Return a dlt load id unchanged if it is a plain decimal time stamp, as dlt writes them.

    Load ids are written into the transforms' SQL; anything else must not reach a statement.
    """
    if not load_id.replace(".", "", 1).isdigit():
        raise IdentifierError(f"unexpected dlt load id `{load_id}`")
    return load_id
