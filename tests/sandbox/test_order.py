"""Every day is a pure function of (seed, options, day): the order in which days are generated,
cache evictions, concurrent requests and whatever else was served before change nothing."""

from __future__ import annotations

import dataclasses
import random
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from sandbox import FakeClock, World, make_app
from sandbox import events as ev
from sandbox.timeutil import DAY_MS, HOUR_MS, iso_ms
from tests.sandbox.conftest import Client, no_limits

OPTIONS: dict[str, Any] = {"seed": 1, "days": 3, "contacts_per_day": 200}
# The lead's probe: Genesys details for 10:00-11:00 on the first day.
PROBE_CONVERSATION = "e1e6f84a-78ea-4ada-a4c7-6a03ef62cb28"


def _content(world: World, day: int) -> tuple[Any, ...]:
    """Everything a day holds, as plain tuples: legs, schedules, what agents did, and the
    lazily derived records (tickets, surveys, reviews, states, deals, cost lines)."""
    batch = world.day(day)
    return (
        [dataclasses.astuple(leg) for leg in batch.legs],
        [dataclasses.astuple(block) for block in batch.schedules],
        [dataclasses.astuple(block) for block in batch.actual],
        sorted(
            (contact, dataclasses.astuple(ticket))
            for contact, ticket in ev.tickets(world, batch).items()
        ),
        [dataclasses.astuple(survey) for survey in ev.surveys(world, batch)],
        [dataclasses.astuple(review) for review in ev.reviews(world, batch)],
        [dataclasses.astuple(state) for state in ev.states(world, batch)],
        [dataclasses.astuple(deal) for deal in ev.deals(world, day)],
        [dataclasses.astuple(cost) for cost in ev.cost_items(world, day)],
    )


# Days 0-2 are history; 3 and 9 lie past the clock (served once it moves).
DAYS = (0, 1, 2, 3, 9)


@pytest.fixture(scope="module")
def in_order() -> dict[int, tuple[Any, ...]]:
    world = World(**OPTIONS)
    return {day: _content(world, day) for day in sorted(DAYS)}


def _orders() -> list[list[int]]:
    scrambled = []
    for seed in range(3):
        days = list(DAYS) * 2
        random.Random(seed).shuffle(days)
        scrambled.append(days)
    return [list(reversed(DAYS)), [9, 0, 3, 1, 2, 0, 9, 1], *scrambled]


@pytest.mark.parametrize("cache_days", [1, 32])
@pytest.mark.parametrize("order", _orders())
def test_a_day_is_the_same_in_any_order_and_after_eviction(
    in_order: dict[int, tuple[Any, ...]], order: list[int], cache_days: int
) -> None:
    world = World(**OPTIONS, cache_days=cache_days)
    for day in order:
        assert _content(world, day) == in_order[day], (order, day)
    # Day -1 and days past the horizon are never served, but touching them changes nothing.
    world.day(-1)
    world.day(world.horizon_days + 2)
    for day in DAYS:
        assert _content(world, day) == in_order[day], day


def test_days_generated_by_concurrent_threads_are_the_same(
    in_order: dict[int, tuple[Any, ...]],
) -> None:
    world = World(**OPTIONS, cache_days=1)
    wanted = [day for day in DAYS for _ in range(4)]
    random.Random(7).shuffle(wanted)
    with ThreadPoolExecutor(6) as pool:
        found = list(pool.map(lambda day: (day, _content(world, day)), wanted))
    for day, content in found:
        assert content == in_order[day], day


def test_the_leads_probe_contact_has_one_leg_whatever_came_first() -> None:
    """The contact the lead saw change: one unanswered Voice Support leg in this world."""
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0]):
        world = World(**OPTIONS, cache_days=1)
        for day in order:
            world.day(day)
        client = Client(make_app(world, rate_limits=no_limits(), clock=FakeClock()))
        answer = client.post(
            "genesys",
            "/api/v2/analytics/conversations/details/query",
            {
                "interval": "2026-01-05T10:00:00.000Z/2026-01-05T11:00:00.000Z",
                "paging": {"pageSize": 100, "pageNumber": 1},
            },
        )
        conversation = next(
            item
            for item in answer.json()["conversations"]
            if item["conversationId"] == PROBE_CONVERSATION
        )
        roles = [
            (item["purpose"], item["participantName"]) for item in conversation["participants"]
        ]
        assert roles[1:] == [("acd", "Voice Support")], order


# --- the APIs -------------------------------------------------------------------------------


def _window(world: World, day: int, hour: int, hours: int) -> list[tuple[str, str, str, Any]]:
    """Genesys, Intercom and Zendesk requests about one window."""
    start = world.start_ms + day * DAY_MS + hour * HOUR_MS
    end = start + hours * HOUR_MS
    start_s, end_s = start // 1000, end // 1000
    return [
        (
            "genesys",
            "POST",
            "/api/v2/analytics/conversations/details/query",
            {
                "interval": f"{iso_ms(start)}/{iso_ms(end)}",
                "paging": {"pageSize": 100, "pageNumber": 1},
            },
        ),
        (
            "genesys",
            "POST",
            "/api/v2/analytics/users/details/query",
            {"interval": f"{iso_ms(start)}/{iso_ms(end)}", "paging": {"pageSize": 100}},
        ),
        (
            "intercom",
            "POST",
            "/conversations/search",
            {
                "query": {
                    "operator": "AND",
                    "value": [
                        {"field": "created_at", "operator": ">", "value": start_s - 1},
                        {"field": "created_at", "operator": "<", "value": end_s},
                    ],
                },
                "pagination": {"per_page": 150},
            },
        ),
        (
            "zendesk",
            "GET",
            f"/api/v2/incremental/tickets/cursor.json?start_time={start_s}&include=metric_sets",
            None,
        ),
        (
            "zendesk",
            "GET",
            f"/api/v2/incremental/ticket_events.json?start_time={start_s}&include=comment_events",
            None,
        ),
        (
            "zendesk",
            "GET",
            f"/api/v2/satisfaction_ratings.json?page[size]=100&start_time={start_s}"
            f"&end_time={end_s + 3 * 86_400}",
            None,
        ),
    ]


def _serve(client: Client, requests: list[tuple[str, str, str, Any]]) -> list[bytes]:
    found = []
    for vendor, method, path, body in requests:
        answer = client.call(method, f"/{vendor}{path}", body=body, headers=client.auth(vendor))
        found.append(answer.body)
    return found


def _probe(client: Client, world: World) -> list[bytes]:
    """The answers for the probed window, then one conversation and one ticket by id."""
    requests = _window(world, 1, 10, 1) + _window(world, 1, 0, 24)
    found = _serve(client, requests)
    assert all(b'"error' not in body[:40] for body in found), found
    search = client.post("intercom", "/conversations/search", requests[2][3]).json()
    conversation = search["conversations"][0]["id"]
    found.append(client.get("intercom", f"/conversations/{conversation}").body)
    export = client.get("zendesk", requests[3][2]).json()
    ticket = export["tickets"][0]["id"]
    found.append(client.get("zendesk", f"/api/v2/tickets/{ticket}.json").body)
    found.append(client.call("GET", "/_sandbox/truth?grain=day").body)
    return found


def _scramble(client: Client, world: World, seed: int) -> list[tuple[str, str, str, Any]]:
    """Requests about every other window (hourly Genesys intervals included), shuffled."""
    stream = random.Random(seed)
    requests = []
    for day in range(-1, world.days + 1):
        for hour in range(0, 24, 2):
            requests += _window(world, day, hour, stream.choice((1, 3, 24)))[:1]
            if hour % 6 == 0:
                requests += _window(world, day, hour, stream.choice((1, 24)))[1:]
    stream.shuffle(requests)
    return requests


def _client(cache_days: int) -> tuple[Client, World]:
    world = World(**OPTIONS, cache_days=cache_days)
    return Client(make_app(world, rate_limits=no_limits(), clock=FakeClock())), world


@pytest.fixture(scope="module")
def fresh_answers() -> list[bytes]:
    client, world = _client(32)
    return _probe(client, world)


@pytest.mark.parametrize(("cache_days", "seed"), [(1, 0), (1, 1), (32, 2)])
def test_answers_are_the_same_before_and_after_other_windows(
    fresh_answers: list[bytes], cache_days: int, seed: int
) -> None:
    client, world = _client(cache_days)
    assert _probe(client, world) == fresh_answers
    _serve(client, _scramble(client, world, seed))
    assert _probe(client, world) == fresh_answers


def test_answers_are_the_same_after_concurrent_requests(fresh_answers: list[bytes]) -> None:
    client, world = _client(1)
    requests = _scramble(client, world, 3)
    client.genesys_token()
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda request: _serve(client, [request]), requests))
    assert _probe(client, world) == fresh_answers


def test_health_names_the_world_and_the_code() -> None:
    """Two servers answer alike only with equal options and code; health shows both."""
    first, _ = _client(1)
    second, _ = _client(32)
    other = Client(make_app(World(**OPTIONS, chat_slots=2)))
    health = first.call("GET", "/_sandbox/health").json()
    assert health["status"] == "ok"
    assert health["world"] == {
        "seed": 1,
        "days": 3,
        "contacts_per_day": 200,
        "agents": None,
        "chat_slots": 1,
        "channel_mix": {"voice": 0.5, "chat": 0.25, "email": 0.15, "messaging": 0.1},
        "start": "2026-01-05",
    }
    assert len(health["code"]) == 16
    assert second.call("GET", "/_sandbox/health").json() == health
    assert other.call("GET", "/_sandbox/health").json()["world"]["chat_slots"] == 2
