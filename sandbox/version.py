"""Which sandbox code a process runs: a digest of the package's sources as they were imported.

A server keeps the code it started with. When the sources change under a running server, its
answers can differ from a fresh server's with the same options although each is deterministic;
`/_sandbox/health` reports this digest next to the world's options so the two can be told apart.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

logger = logging.getLogger(__name__)


def _digest(root: Path) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


CODE_DIGEST = _digest(Path(__file__).resolve().parent)
