"""A dlt destination for the ccpulse warehouse: embedded chDB or a ClickHouse server.

dlt's own ClickHouse destination reaches a server through clickhouse-driver's native protocol and
uploads files over HTTP; it cannot reach the embedded engine. This destination keeps everything
that destination decides (DDL, type mapping, dataset-as-table-prefix naming, merge and replace
SQL, state and load tables) and replaces only the transport: statements and parameter binding go
through a clickhouse-connect session borrowed from `ccpulse.warehouse`, load files are read by the
engine itself with `INSERT ... SELECT FROM file()` (embedded) or uploaded over HTTP (server), and
engine errors are mapped to dlt's transient and terminal errors. Parquet is the load format.

Use it as `dlt.pipeline(destination=ccpulse.destination.warehouse(), dataset_name="raw_zendesk")`.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from copy import deepcopy
from typing import Any, ClassVar, Final

import clickhouse_connect.dbapi
import pyarrow as pa
import pyarrow.parquet as pq
from clickhouse_connect.dbapi.cursor import Cursor
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import (
    DatabaseError,
    OperationalError,
    ProgrammingError,
)
from clickhouse_connect.driver.exceptions import Error as ClickHouseConnectError
from clickhouse_connect.driver.tools import insert_file as upload_file
from dlt.common.configuration import configspec
from dlt.common.configuration.specs import CredentialsConfiguration
from dlt.common.destination import DestinationCapabilitiesContext
from dlt.common.schema import Schema
from dlt.common.time import ensure_datetime, normalize_timezone
from dlt.common.typing import TSecretStrValue
from dlt.destinations.exceptions import (
    DatabaseTerminalException,
    DatabaseTransientException,
    DatabaseUndefinedRelation,
)
from dlt.destinations.impl.clickhouse.clickhouse import ClickHouseClient
from dlt.destinations.impl.clickhouse.configuration import ClickHouseClientConfiguration
from dlt.destinations.impl.clickhouse.factory import clickhouse
from dlt.destinations.impl.clickhouse.sql_client import ClickHouseSqlClient
from dlt.destinations.impl.clickhouse.typing import HINT_TO_CLICKHOUSE_ATTR
from dlt.destinations.job_client_impl import SqlJobClientWithStagingDataset
from dlt.destinations.sql_client import DBApiCursorImpl, raise_database_error
from dlt.destinations.utils import _convert_to_old_pyformat

from ccpulse.identifiers import qualified_name, quote_identifier
from ccpulse.settings import WarehouseSettings
from ccpulse.warehouse import open_warehouse

__all__ = ["RAW_DATABASE", "WarehouseCredentials", "warehouse"]

logger = logging.getLogger(__name__)

RAW_DATABASE = "raw"
"""The database dlt loads vendor records into; each vendor is a table prefix `raw_<vendor>___`."""

# Codes from ClickHouse's ErrorCodes.cpp that no retry can fix: bad SQL, bad types, missing
# columns, access denied. Everything else the engine raises is treated as transient.
_TERMINAL_CODES = {6, 27, 36, 41, 43, 44, 47, 53, 57, 62, 70, 82, 117, 190, 241, 497, 516}
_UNDEFINED_RELATION_CODES = {60, 81}
_FILE_FORMATS = {"Parquet", "JSONEachRow"}


@configspec(init=False)
class WarehouseCredentials(CredentialsConfiguration):
    """The warehouse URL (`CCPULSE_WAREHOUSE` form) and the database dlt loads into."""

    url: TSecretStrValue | None = None
    database: str = RAW_DATABASE

    def parse_native_representation(self, native_value: Any) -> None:
        if not isinstance(native_value, str):
            raise ValueError("warehouse credentials are a CCPULSE_WAREHOUSE URL string")
        self.url = native_value

    def to_native_representation(self) -> str:
        return str(self.url)

    def __str__(self) -> str:
        return self.settings().redacted_url

    def settings(self) -> WarehouseSettings:
        if not self.url:
            return WarehouseSettings.from_env()
        return WarehouseSettings.from_url(str(self.url))


@configspec
class WarehouseClientConfiguration(ClickHouseClientConfiguration):
    destination_type: Final[str] = "ccpulse_warehouse"  # type: ignore[misc]
    credentials: WarehouseCredentials = None  # type: ignore[assignment]

    def fingerprint(self) -> str:
        return self.credentials.settings().redacted_url if self.credentials else ""

    def data_location(self) -> str:
        settings = self.credentials.settings()
        if settings.kind == "chdb":
            return f"chdb://{settings.path}"
        return f"{settings.host}:{settings.port}"


class WarehouseSqlClient(ClickHouseSqlClient):
    """dlt's ClickHouse SQL client with a clickhouse-connect session as its transport."""

    dbapi: ClassVar[Any] = clickhouse_connect.dbapi

    credentials: WarehouseCredentials  # type: ignore[assignment]
    _session: Client | None = None

    def open_connection(self) -> Client:
        self._session = open_warehouse(self.credentials.settings()).new_session()
        self._session.set_client_setting(
            "select_sequential_consistency", self.config.select_sequential_consistency
        )
        return self._session

    def close_connection(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    def create_dataset(self) -> None:
        # dlt's ClickHouse destination expects its database to exist; creating it here as well as
        # in `ccpulse views apply` lets a first `ccpulse run` work on a new warehouse.
        database = quote_identifier(str(self.database_name))
        self.execute_sql(f"CREATE DATABASE IF NOT EXISTS {database}")
        super().create_dataset()

    @contextmanager
    def begin_transaction(self) -> Iterator[Any]:
        # ClickHouse has no transactions: every statement commits on its own.
        yield self

    def commit_transaction(self) -> None:
        pass

    def rollback_transaction(self) -> None:
        pass

    @property
    def native_connection(self) -> Any:
        return self._session

    @contextmanager
    @raise_database_error
    def execute_query(  # type: ignore[override]
        self, query: Any, *args: Any, **kwargs: Any
    ) -> Iterator[DBApiCursorImpl]:
        assert isinstance(query, str), "dlt passes SQL as text"
        assert self._session is not None, "the connection is opened before any query"
        parameters: dict[str, Any] = dict(kwargs)
        if args:
            query, parameters = _convert_to_old_pyformat(query, args, ProgrammingError)
            parameters.update(kwargs)
        parameters = {name: _bindable(value) for name, value in parameters.items()}

        cursor = Cursor(self._session)
        # dlt joins the statements of one job with `;`; the engine runs one at a time.
        for statement in query.split(";"):
            if statement := self.escape_pct(statement.strip()):
                cursor.execute(statement, parameters or None)
        yield DBApiCursorImpl(cursor)  # type: ignore[arg-type]

    def insert_file(
        self, file_path: str, table_name: str, file_format: str, compression: str
    ) -> Any:
        database, table = self.make_qualified_table_name_path(table_name, quote=False)
        if file_format not in _FILE_FORMATS:
            raise DatabaseTerminalException(
                ValueError(f"cannot load `{file_path}`: unsupported format `{file_format}`")
            )
        if self.credentials.settings().kind == "chdb":
            return self._read_local_file(file_path, database, table, file_format, compression)
        assert self._session is not None
        return upload_file(
            self._session,
            table,
            file_path,
            fmt=file_format,
            database=database,
            settings={"date_time_input_format": "best_effort"},
            compression=None if compression in ("auto", "none") else compression,
        )

    def _read_local_file(
        self, file_path: str, database: str, table: str, file_format: str, compression: str
    ) -> None:
        """Let the engine read the load file itself: no rows pass through Python."""
        assert self._session is not None
        target = qualified_name(database, table)
        if file_format == "Parquet":
            # Parquet columns are matched by name: a table that gained columns in an earlier
            # load may hold them in another order than this file.
            schema = pq.read_schema(file_path)
            columns = ", ".join(quote_identifier(name) for name in schema.names)
            values = ", ".join(_parquet_value(field) for field in schema)
            source = "file({path:String}, 'Parquet')"
            statement = f"INSERT INTO {target} ({columns}) SELECT {values} FROM {source}"
        else:
            method = "gzip" if compression == "gz" else "none"
            source = f"file({{path:String}}, 'JSONEachRow', auto, '{method}')"
            statement = f"INSERT INTO {target} SELECT * FROM {source}"
        self._session.command(
            statement,
            parameters={"path": file_path},
            settings={
                "date_time_input_format": "best_effort",
                # Parquet carries its own schema; JSON lines take the table's.
                "use_structure_from_insertion_table_in_table_functions": int(
                    file_format == "JSONEachRow"
                ),
                "input_format_parquet_allow_missing_columns": 1,
            },
        )

    @classmethod
    def _make_database_exception(cls, ex: Exception) -> Exception:
        if isinstance(ex, DatabaseError):
            code = getattr(ex, "code", None) or _code_in_message(str(ex))
            if code in _UNDEFINED_RELATION_CODES:
                return DatabaseUndefinedRelation(ex)
            if code in _TERMINAL_CODES:
                return DatabaseTerminalException(ex)
            return DatabaseTransientException(ex)
        if isinstance(ex, OperationalError):
            return DatabaseTransientException(ex)
        if isinstance(ex, ProgrammingError):
            return DatabaseTerminalException(ex)
        if isinstance(ex, ClickHouseConnectError):
            return DatabaseTransientException(ex)
        return ex

    @staticmethod
    def is_dbapi_exception(ex: Exception) -> bool:
        return isinstance(ex, ClickHouseConnectError)


class WarehouseJobClient(ClickHouseClient):
    """dlt's ClickHouse job client wired to `WarehouseSqlClient`."""

    def __init__(
        self,
        schema: Schema,
        config: WarehouseClientConfiguration,
        capabilities: DestinationCapabilitiesContext,
    ) -> None:
        dataset_name, staging_dataset_name = SqlJobClientWithStagingDataset.create_dataset_names(
            schema, config
        )
        sql_client = WarehouseSqlClient(
            dataset_name,
            staging_dataset_name,
            list(schema.tables.keys()),
            config.credentials,  # type: ignore[arg-type]
            capabilities,
            config,
        )
        # ClickHouseClient.__init__ would build its own driver-based client: skip to its base.
        SqlJobClientWithStagingDataset.__init__(self, schema, config, sql_client)
        self.sql_client = sql_client
        self.config = config
        self.active_hints = deepcopy(HINT_TO_CLICKHOUSE_ATTR)
        self.type_mapper = self.capabilities.get_type_mapper()


class warehouse(clickhouse):
    """The ccpulse warehouse as a dlt destination (embedded chDB or a ClickHouse server)."""

    spec = WarehouseClientConfiguration  # type: ignore[assignment]

    def __init__(
        self,
        credentials: WarehouseCredentials | str | None = None,
        destination_name: str | None = None,
        select_sequential_consistency: int = 1,
        **kwargs: Any,
    ) -> None:
        """Load into the warehouse at `credentials` (a `CCPULSE_WAREHOUSE` URL; default: the
        setting itself, else the embedded warehouse in `.ccpulse/warehouse`)."""
        if credentials is None:
            credentials = WarehouseCredentials()
        super().__init__(
            credentials=credentials,  # type: ignore[arg-type]
            destination_name=destination_name,  # type: ignore[arg-type]
            select_sequential_consistency=select_sequential_consistency,
            **kwargs,
        )

    def _raw_capabilities(self) -> DestinationCapabilitiesContext:
        capabilities = super()._raw_capabilities()
        capabilities.preferred_loader_file_format = "parquet"
        capabilities.supported_loader_file_formats = ["parquet", "jsonl"]
        capabilities.preferred_staging_file_format = "parquet"
        return capabilities

    @property
    def client_class(self) -> type[ClickHouseClient]:
        return WarehouseJobClient


def _bindable(value: Any) -> Any:
    """Datetimes bind as naive UTC text; the engine parses them in the column's zone."""
    if isinstance(value, datetime.datetime):
        return str(normalize_timezone(ensure_datetime(value), timezone=False))
    return value


def _parquet_value(field: pa.Field) -> str:
    """The SELECT expression that reads one Parquet column as dlt's ClickHouse mapping expects."""
    column = quote_identifier(field.name)
    if pa.types.is_time(field.type):
        # dlt stores `time` as text; the engine would read a Parquet time as a 1970 datetime.
        return f"substring(toString({column}), 12)"
    return column


def _code_in_message(message: str) -> int | None:
    match = re.search(r"Code: (\d+)\.", message)
    return int(match.group(1)) if match else None


warehouse.register()
