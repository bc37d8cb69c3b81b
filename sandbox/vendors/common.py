"""Helpers shared by the vendor renderers: which contacts a window holds, cursors, paging."""

from __future__ import annotations

import base64
import json
import logging
from typing import Any

from sandbox import events
from sandbox.httpcore import HttpError
from sandbox.timeutil import DAY_MS, parse_instant
from sandbox.world import Leg, World

logger = logging.getLogger(__name__)

# Longest time after its day that anything about a contact changes: a ticket reopened three
# days after its solve, replied eight hours later and closed four days after that; a review
# created five days after the contact and edited two days later.
UPDATE_LAG_DAYS = 10


def contacts_between(
    world: World, start_ms: int, end_ms: int, now_ms: int, channels: tuple[str, ...]
) -> list[list[Leg]]:
    """Contacts of some channels whose first leg was offered in [start, end) and by `now`."""
    end_ms = min(end_ms, now_ms + 1)
    found: list[list[Leg]] = []
    if end_ms <= start_ms:
        return found
    for day in range(max(0, world.day_of(start_ms)), world.day_of(end_ms - 1) + 1):
        if day >= world.horizon_days:
            break
        batch = world.day(day)
        for legs in batch.contacts().values():
            first = legs[0]
            if first.channel in channels and start_ms <= first.offered_ms < end_ms:
                found.append(legs)
    found.sort(key=lambda legs: (legs[0].offered_ms, legs[0].contact_id))
    return found


def all_contacts(
    world: World, now_ms: int, channels: tuple[str, ...], changed_since_ms: int = 0
) -> list[list[Leg]]:
    """Contacts of some channels offered by `now` that may have changed since an instant.

    A contact's records stop changing UPDATE_LAG_DAYS after its day, so a window that starts
    later only needs the days it can touch; pages stay cheap in a world of a million contacts.
    """
    start = max(world.start_ms, changed_since_ms - UPDATE_LAG_DAYS * DAY_MS)
    start -= (start - world.start_ms) % DAY_MS
    return contacts_between(world, start, now_ms + 1, now_ms, channels)


def days_since(world: World, changed_since_ms: int) -> range:
    """Visible days whose records may have changed since an instant (see `all_contacts`)."""
    first = max(0, world.day_of(changed_since_ms) - UPDATE_LAG_DAYS)
    return range(first, world.visible_days().stop)


def ticket_of(world: World, leg: Leg) -> events.Ticket | None:
    return events.tickets(world, world.day(world.day_of(leg.offered_ms))).get(leg.contact_id)


def encode_cursor(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str, error: Any) -> dict[str, Any]:
    try:
        padded = text + "=" * (-len(text) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except ValueError as exc:
        raise HttpError(400, error) from exc
    if not isinstance(payload, dict):
        raise HttpError(400, error)
    return payload


def instant(text: str | None, name: str, error: Any) -> int:
    """Parse a time parameter or answer 400 in the vendor's error shape."""
    if text is None or text == "":
        raise HttpError(400, error(f"`{name}` is required"))
    try:
        return parse_instant(text)
    except ValueError as exc:
        raise HttpError(400, error(f"`{name}` is not a valid time: {text}")) from exc


def interval(text: str | None, error: Any) -> tuple[int, int]:
    """A Genesys-style ISO interval `start/end`."""
    if not text or "/" not in text:
        raise HttpError(400, error("`interval` must be `start/end` in ISO 8601"))
    start_text, _, end_text = text.partition("/")
    start, end = instant(start_text, "interval", error), instant(end_text, "interval", error)
    if end <= start:
        raise HttpError(400, error("`interval` must end after it starts"))
    return start, end
