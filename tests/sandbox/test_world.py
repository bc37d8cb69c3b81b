"""The world: determinism, the clock, updates after the clock moves, and generation speed."""

from __future__ import annotations

import json
import time

import pytest

from sandbox import World, catalog, make_app, truth
from sandbox.timeutil import DAY_MS, iso_s
from tests.sandbox.conftest import Client, no_limits

PROBES = [
    (
        "genesys",
        "POST",
        "/api/v2/analytics/conversations/details/query",
        {"interval": "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z", "paging": {"pageSize": 50}},
    ),
    (
        "intercom",
        "POST",
        "/conversations/search",
        {"query": {"field": "updated_at", "operator": ">", "value": 0}},
    ),
    ("zendesk", "GET", "/api/v2/incremental/tickets/cursor.json?start_time=0", None),
    ("delighted", "GET", "/v1/survey_responses.json?per_page=100", None),
    ("hubspot", "POST", "/crm/v3/objects/deals/search", {"limit": 100}),
    ("bamboohr", "GET", "/api/v1/employees/directory", None),
    (
        "assembled",
        "GET",
        "/v0/agents/state?start_time=2026-01-05T00:00:00Z&end_time=2026-01-06T00:00:00Z",
        None,
    ),
    ("zendesk-qa", "GET", "/api/export/reviews?fromDate=2026-01-01T00:00:00Z", None),
]


def _answers(seed: int) -> list[bytes]:
    world = World(seed=seed, days=2, contacts_per_day=80)
    client = Client(make_app(world, rate_limits=no_limits()))
    found = []
    for vendor, method, path, body in PROBES:
        answer = client.call(method, f"/{vendor}{path}", body=body, headers=client.auth(vendor))
        assert answer.status == 200, (vendor, answer.body[:200])
        found.append(answer.body)
    found.append(json.dumps(truth(world, grain="day")).encode())
    return found


def test_same_seed_gives_identical_bytes() -> None:
    assert _answers(21) == _answers(21)


def test_another_seed_gives_another_world() -> None:
    first, second = _answers(21), _answers(22)
    assert sum(a != b for a, b in zip(first, second, strict=True)) >= len(PROBES) - 1


def test_clock_moves_only_when_told(fresh_world: World) -> None:
    before = fresh_world.now_ms
    fresh_world.day(0)
    truth(fresh_world, kpi="contacts_offered", grain="all")
    assert fresh_world.now_ms == before
    fresh_world.advance(hours=5)
    assert fresh_world.now_ms == before + 5 * 3_600_000
    with pytest.raises(ValueError, match="forward"):
        fresh_world.set_clock(before)


def test_clock_over_http(fresh_world: World) -> None:
    client = Client(make_app(fresh_world))
    start = client.call("GET", "/_sandbox/clock").json()["now_ms"]
    moved = client.call("POST", "/_sandbox/clock", body={"hours": 30}).json()
    assert moved["now_ms"] == start + 30 * 3_600_000 == fresh_world.now_ms


def test_advancing_brings_new_records_and_updates(fresh_world: World) -> None:
    """New tickets appear; old ones change (reopened, solved, closed, rated, deleted)."""
    client = Client(make_app(fresh_world, rate_limits=no_limits()))
    path = "/api/v2/incremental/tickets/cursor.json?start_time=0"
    before = {t["id"]: t for t in client.get("zendesk", path).json()["tickets"]}
    fresh_world.advance(days=3)
    after = {t["id"]: t for t in client.get("zendesk", path).json()["tickets"]}
    assert set(before) < set(after)
    changed = [i for i in before if after[i]["updated_at"] != before[i]["updated_at"]]
    assert changed
    assert {after[i]["status"] for i in changed} & {"closed", "open", "solved", "deleted"}


def test_late_wrap_up_appears_after_the_clock_moves() -> None:
    """A call still in wrap-up at the clock shows no tAcw; an hour later it does."""
    world = World(seed=5, days=1, contacts_per_day=300)
    late = [
        leg
        for leg in world.day(1).legs
        if leg.handled
        and leg.acw_ms
        and leg.channel == "voice"
        and leg.end_ms < world.start_ms + 2 * DAY_MS - 60_000
    ]
    leg = late[-1]
    world.set_clock(leg.end_ms + 1)
    client = Client(make_app(world, rate_limits=no_limits()))

    def acw_metrics() -> list[str]:
        interval = f"{iso_s(leg.offered_ms - 1000)}/{iso_s(leg.offered_ms + 1000)}"
        body = {"interval": interval, "paging": {"pageSize": 100}}
        found = client.post("genesys", "/api/v2/analytics/conversations/details/query", body)
        return [
            m["name"]
            for c in found.json().get("conversations", [])
            for p in c["participants"]
            for s in p["sessions"]
            for m in s.get("metrics", [])
            if m["name"] == "tAcw"
        ]

    missing = acw_metrics()
    world.advance(hours=1)
    assert len(acw_metrics()) == len(missing) + 1


def test_contacts_per_day_is_exact() -> None:
    world = World(seed=2, days=2, contacts_per_day=333)
    assert sum(1 for leg in world.day(1).legs if leg.leg == 1) == 333


@pytest.mark.parametrize("channel", ["voice", "chat", "messaging"])
def test_abandons_fall_on_the_channel_s_published_grid(channel: str) -> None:
    """Intercom publishes whole seconds, so a chat abandon must not happen between two."""
    world = World(seed=3, days=3, contacts_per_day=300)
    precision = catalog.PROFILES[channel].precision_ms
    lost = [
        leg
        for day in range(3)
        for leg in world.day(day).legs
        if leg.abandoned and leg.channel == channel
    ]
    assert lost, f"no {channel} contact abandoned; the check would prove nothing"
    assert all(leg.end_ms % precision == 0 for leg in lost)
    assert all(leg.end_ms >= leg.offered_ms for leg in lost)
    if precision > 1:
        # the draw itself is in milliseconds: without the cut, almost none would be whole
        assert any(leg.end_ms > leg.offered_ms for leg in lost)


def test_generation_speed_is_measured(capsys: pytest.CaptureFixture[str]) -> None:
    """A measurement, not a budget: `python -m sandbox measure` gives the 1M-contact figure."""
    world = World(seed=1, days=5, contacts_per_day=4000, cache_days=2)
    started = time.perf_counter()
    contacts = sum(len(world.day(day).contacts()) for day in range(5))
    seconds = time.perf_counter() - started
    with capsys.disabled():
        print(
            f"\ngenerated {contacts} contacts in {seconds:.2f} s "
            f"({contacts / seconds:,.0f} contacts/s)"
        )
    assert contacts == 20_000


def test_schedules_are_edited_after_the_fact() -> None:
    """An unplanned meeting is entered the next day: the old block is soft-deleted."""
    world = World(seed=8, days=1, contacts_per_day=400)
    block = next(b for day in range(1, 30) for b in world.day(day).schedules if b.deleted_ms >= 0)
    world.set_clock(block.end_ms + 1)
    client = Client(make_app(world, rate_limits=no_limits()))
    window = f"start_time={iso_s(block.start_ms)}&end_time={iso_s(block.end_ms)}"

    def kinds() -> set[tuple[str, bool]]:
        rows = client.get("assembled", f"/v0/activities?{window}").json()["activities"]
        return {
            (row["activity_type"], row["deleted"])
            for row in rows
            if row["start_time"] >= iso_s(block.start_ms)[:-1]
        }

    assert ("meeting", False) not in kinds()
    world.set_clock(block.deleted_ms)
    assert {("meeting", False), ("on_queue", True)} <= kinds()
