"""ccpulse: contact-centre data into ClickHouse, with every KPI kept exact.

This package wires the others together: configuration, the command line and the only access to the
warehouse (embedded chDB or a ClickHouse server), including the dlt destination for it.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
