"""`ccpulse load-files`: CSV, Parquet or JSONL files in the unified shape, into the warehouse.

The files go the way every vendor's records go: dlt loads them into the raw layer
(`raw.raw_files___<table>`, merged on the table's primary key), then the rows of that load are
applied to the unified table through its change stream, so the KPIs move exactly by what the files
changed. Loading the same file twice changes nothing; a corrected file changes what it corrects.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import dlt

from ccpulse.changes import BatchResult, apply_select
from ccpulse.destination import RAW_DATABASE
from ccpulse.destination import warehouse as warehouse_destination
from ccpulse.identifiers import checked_load_id, quote_identifier
from ccpulse.loading import LoadSummary, run_pipeline
from ccpulse.warehouse import Warehouse
from connectors.files import ColumnMapping, files_source
from transforms.unified_model import table as unified_table

__all__ = ["FILES_DATASET", "FilesLoad", "load_files"]

logger = logging.getLogger(__name__)

FILES_DATASET = "raw_files"


@dataclass(frozen=True)
class FilesLoad:
    """What `load_files` did: the raw load and the batch applied to the unified table."""

    load: LoadSummary
    batch: BatchResult

    def line(self) -> str:
        return (
            f"{self.load.line()}; cc.{self.batch.table}: {self.batch.staged_rows:,} rows read, "
            f"{self.batch.changed_rows:,} signed change rows applied"
        )


def load_files(
    warehouse: Warehouse,
    path: str | Path,
    table_name: str,
    mapping: ColumnMapping | None = None,
    pipelines_dir: Path | None = None,
) -> FilesLoad:
    """Load the files at `path` into the unified table `table_name`."""
    spec = unified_table(table_name)
    source = files_source(
        path,
        spec,
        column_map=mapping.columns if mapping else None,
        constants=mapping.constants if mapping else None,
    )
    pipeline = dlt.pipeline(
        pipeline_name=FILES_DATASET,
        destination=warehouse_destination(),
        dataset_name=FILES_DATASET,
        pipelines_dir=str(pipelines_dir or default_pipelines_dir()),
    )
    # Arrow tables carry no load id unless asked; the transform selects this load's rows by it.
    dlt.config["normalize.parquet_normalizer.add_dlt_load_id"] = True
    summary = run_pipeline(pipeline, source)
    load_id = summary.load_info.loads_ids[-1]

    raw_table = (
        f"{quote_identifier(RAW_DATABASE)}.{quote_identifier(f'{FILES_DATASET}___{spec.name}')}"
    )
    columns = ", ".join(quote_identifier(name) for name in spec.column_names)
    select = (
        f"SELECT {columns}, toUInt8(0) AS is_deleted FROM {raw_table} "
        f"WHERE _dlt_load_id = '{checked_load_id(load_id)}'"
    )
    batch = apply_select(warehouse, spec.name, select)
    result = FilesLoad(summary, batch)
    logger.info("%s", result.line())
    return result


def default_pipelines_dir() -> Path:
    """dlt's working folders: beside the embedded warehouse, under the working directory."""
    return Path.cwd() / ".ccpulse" / "pipelines"
