"""The errors ccpulse raises on purpose.

Every error here carries a message written for the person running ccpulse: what failed, what was
received and what to do next. The command line prints the message alone, on one line, without a
stack trace; anything else that escapes is a bug.
"""

from __future__ import annotations

__all__ = [
    "CcpulseError",
    "ConfigurationError",
    "IdentifierError",
    "UsageError",
    "WarehouseError",
    "WarehouseLockedError",
]


class CcpulseError(Exception):
    """Base of every error ccpulse raises deliberately."""


class ConfigurationError(CcpulseError):
    """A setting is missing or malformed; the message names the setting."""


class UsageError(CcpulseError):
    """A command-line argument is wrong; the message names it and lists the valid values."""


class IdentifierError(CcpulseError):
    """A database, table or column name is not safe to put into SQL."""


class WarehouseError(CcpulseError):
    """The warehouse cannot be reached, refused the credentials or rejected a statement."""


class WarehouseLockedError(WarehouseError):
    """Another process holds the embedded warehouse folder."""
