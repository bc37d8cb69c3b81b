"""Per-vendor mappings from raw records (`raw.raw_<vendor>___<table>`) to the unified model.

Each mapping is a SELECT, run inside the warehouse over the raw rows of one dlt load, that yields
the unified table's columns plus three of its own: `is_deleted` (the record was deleted at the
source), `reject_reason` (empty when the row maps cleanly; otherwise why it cannot be used) and
`raw_payload` (the source record, kept with a rejected row). `ccpulse.transform` applies the
clean rows through the table's change stream and keeps the rejected ones in `cc.rejected`.
"""

from __future__ import annotations

from transforms.vendors.mapping import VendorMapping, mappings_for

__all__ = ["VendorMapping", "mappings_for"]
