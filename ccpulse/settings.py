"""Where the warehouse is: the `CCPULSE_WAREHOUSE` setting.

Two forms are accepted:

- `chdb:///absolute/path` or `chdb://relative/path`: the embedded chDB warehouse in that folder.
  Unset, the warehouse is `.ccpulse/warehouse` under the working directory.
- `clickhouse://user:password@host:port/database` (`clickhouses://` for TLS): a ClickHouse
  server reached over HTTP, port 8123 (8443 with TLS) by default.

The password is kept out of `repr()` and out of every message; `redacted_url` is what logs show.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from ccpulse.errors import ConfigurationError

__all__ = ["DEFAULT_WAREHOUSE_PATH", "WAREHOUSE_ENV", "WarehouseSettings"]

WAREHOUSE_ENV = "CCPULSE_WAREHOUSE"
DEFAULT_WAREHOUSE_PATH = Path(".ccpulse") / "warehouse"
_SERVER_SCHEMES = {"clickhouse": (8123, False), "clickhouses": (8443, True)}

WarehouseKind = Literal["chdb", "clickhouse"]


@dataclass(frozen=True)
class WarehouseSettings:
    """A parsed `CCPULSE_WAREHOUSE`: either a chDB folder or a ClickHouse server."""

    kind: WarehouseKind
    path: Path | None = None
    host: str = ""
    port: int = 0
    username: str = "default"
    password: str = field(default="", repr=False)
    database: str = "default"
    secure: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> WarehouseSettings:
        """Read `CCPULSE_WAREHOUSE` (the embedded default when unset or empty)."""
        value = (os.environ if environ is None else environ).get(WAREHOUSE_ENV, "").strip()
        if not value:
            return cls(kind="chdb", path=(Path.cwd() / DEFAULT_WAREHOUSE_PATH).resolve())
        return cls.from_url(value)

    @classmethod
    def from_url(cls, url: str) -> WarehouseSettings:
        """Parse a warehouse URL, or raise `ConfigurationError` naming the setting."""
        scheme, _, rest = url.partition("://")
        if scheme == "chdb":
            return cls._embedded(rest)
        if scheme in _SERVER_SCHEMES:
            return cls._server(url, scheme)
        raise ConfigurationError(
            f"{WAREHOUSE_ENV} must start with `chdb://` or `clickhouse://`, "
            f"got `{_redact_unparsed(url)}`; for example chdb:///var/lib/ccpulse or "
            "clickhouse://ccpulse:secret@localhost:8123/default"
        )

    @classmethod
    def _embedded(cls, rest: str) -> WarehouseSettings:
        if not rest:
            raise ConfigurationError(
                f"{WAREHOUSE_ENV} names no folder: use chdb:///absolute/path or chdb://relative/path"
            )
        return cls(kind="chdb", path=Path(rest).expanduser().resolve())

    @classmethod
    def _server(cls, url: str, scheme: str) -> WarehouseSettings:
        default_port, secure = _SERVER_SCHEMES[scheme]
        parts = urlsplit(url)
        try:
            port = parts.port or default_port
        except ValueError:
            raise ConfigurationError(
                f"{WAREHOUSE_ENV} has a port that is not a number: `{_redact_unparsed(url)}`"
            ) from None
        if not parts.hostname:
            raise ConfigurationError(
                f"{WAREHOUSE_ENV} names no host: `{_redact_unparsed(url)}`; "
                "expected clickhouse://user:password@host:port/database"
            )
        database = parts.path.strip("/") or "default"
        if "/" in database:
            raise ConfigurationError(
                f"{WAREHOUSE_ENV} must name one database after the host, got `{database}`"
            )
        return cls(
            kind="clickhouse",
            host=parts.hostname,
            port=port,
            username=unquote(parts.username or "default"),
            password=unquote(parts.password or ""),
            database=database,
            secure=secure,
        )

    @property
    def redacted_url(self) -> str:
        """The URL with the password replaced by `***`, safe for logs and messages."""
        if self.kind == "chdb":
            return f"chdb://{self.path}"
        scheme = "clickhouses" if self.secure else "clickhouse"
        secret = ":***" if self.password else ""
        return f"{scheme}://{self.username}{secret}@{self.host}:{self.port}/{self.database}"


def _redact_unparsed(url: str) -> str:
    """Hide whatever sits between `://user:` and `@` in a URL we could not parse."""
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    if not at:
        return url
    user = userinfo.split(":", 1)[0]
    return f"{scheme}{sep}{user}:***@{host}" if ":" in userinfo else url
