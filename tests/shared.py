"""Where the project's shared material lives: `../shared` beside the checkout.

The vendor descriptions and public data sets are not part of this repository. A checkout normally
sits beside `shared/`; a clone elsewhere (a CI scratch folder) finds it through `CCPULSE_SHARED`
or the workplace's fixed location.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_CANDIDATES = (
    os.environ.get("CCPULSE_SHARED", ""),
    str(REPO.parent / "shared"),
    "/work/shared",
)


def shared_dir() -> Path:
    """The first shared folder that exists (the checkout's sibling when none does)."""
    for candidate in _CANDIDATES:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return REPO.parent / "shared"
