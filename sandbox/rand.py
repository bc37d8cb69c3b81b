"""Deterministic randomness: every random stream is derived from the seed and a key.

Generating a day from `Random(hash(seed, "day", n))` makes days independent of each other, so a
server can produce day 90 without producing days 0-89, and the same seed gives the same bytes.
"""

from __future__ import annotations

import hashlib
import logging
import random
import uuid

logger = logging.getLogger(__name__)

_MASK64 = (1 << 64) - 1


def derive_seed(seed: int, *keys: object) -> int:
    """A 64-bit seed derived from the world seed and a key path."""
    text = repr((seed, *keys)).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")


def rng(seed: int, *keys: object) -> random.Random:
    """A `random.Random` stream for one key path."""
    return random.Random(derive_seed(seed, *keys))


def mix(value: int) -> int:
    """splitmix64 finaliser: a cheap, well-spread hash of an integer.

    Used where creating a `Random` per record would be too slow (per-message timings).
    """
    z = (value + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def unit(value: int, salt: int = 0) -> float:
    """A float in [0, 1) from an integer and a salt."""
    return mix(value * 1_000_003 + salt) / float(1 << 64)


def stable_uuid(seed: int, *keys: object) -> str:
    """A UUID4-shaped identifier that depends only on the seed and the key path."""
    digest = hashlib.blake2b(repr((seed, *keys)).encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def stable_hex(seed: int, *keys: object, length: int = 24) -> str:
    """A hex identifier (Intercom contact ids are 24 hex digits)."""
    size = (length + 1) // 2
    return hashlib.blake2b(repr((seed, *keys)).encode(), digest_size=size).hexdigest()[:length]
