"""The oracle uses only what the APIs show: recompute KPIs from API answers, as a connector and
transform would, and compare with `truth` to 1e-9 relative.

These readers are deliberately naive (one request per page, no retries); they document how each
fact is read, mirroring the table in sandbox/README.md.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from sandbox import World, truth
from sandbox.timeutil import parse_instant
from tests.sandbox.conftest import Client

Sums = dict[str, list[float]]


def _add(sums: Sums, key: str, numerator: float, denominator: float = 1.0) -> None:
    total = sums.setdefault(key, [0.0, 0.0])
    total[0] += numerator
    total[1] += denominator


def _genesys(client: Client) -> list[dict[str, Any]]:
    body = {
        "interval": "2026-01-01T00:00:00Z/2026-02-01T00:00:00Z",
        "paging": {"pageSize": 100, "pageNumber": 1},
    }
    found: list[dict[str, Any]] = []
    while True:
        page = client.post("genesys", "/api/v2/analytics/conversations/details/query", body)
        rows = page.json().get("conversations", [])
        if not rows:
            return found
        found += rows
        body["paging"]["pageNumber"] += 1


def _metrics(participant: dict[str, Any]) -> dict[str, float]:
    return {m["name"]: m["value"] for s in participant["sessions"] for m in s.get("metrics", [])}


def _intercom(client: Client) -> list[dict[str, Any]]:
    body: dict[str, Any] = {
        "query": {"field": "updated_at", "operator": ">", "value": 0},
        "pagination": {"per_page": 150},
    }
    found: list[dict[str, Any]] = []
    while True:
        page = client.post("intercom", "/conversations/search", body).json()
        found += page["conversations"]
        after = page["pages"].get("next", {}).get("starting_after")
        if not after:
            return found
        body["pagination"]["starting_after"] = after


def _zendesk(client: Client) -> tuple[list[dict[str, Any]], dict[int, dict[str, Any]]]:
    page = client.get(
        "zendesk", "/api/v2/incremental/tickets/cursor.json?start_time=0&include=metric_sets"
    ).json()
    assert page["end_of_stream"]
    metrics = {m["ticket_id"]: m for m in page["metric_sets"]}
    return [t for t in page["tickets"] if t["status"] != "deleted"], metrics


def handle_and_answer(client: Client) -> tuple[Sums, Sums]:
    """AHT and ASA per channel, read from Genesys, Intercom and Zendesk."""
    aht: Sums = {}
    asa: Sums = {}
    for conversation in _genesys(client):
        for participant in conversation["participants"]:
            metrics = _metrics(participant)
            if participant["purpose"] == "agent" and "tHandle" in metrics:
                _add(aht, "voice", metrics["tHandle"] / 1000)
            if participant["purpose"] == "acd" and "tAnswered" in metrics:
                _add(asa, "voice", metrics["tAnswered"] / 1000)
    for conversation in _intercom(client):
        channel = "chat" if conversation["source"]["type"] == "conversation" else "messaging"
        stats = conversation["statistics"]
        if "first_assignment_at" in stats:
            _add(asa, channel, stats["first_assignment_at"] - conversation["created_at"])
        if "handling_time" in stats:
            _add(aht, channel, stats["handling_time"])
    tickets, metrics = _zendesk(client)
    for ticket in tickets:
        metric = metrics[ticket["id"]]
        created = parse_instant(ticket["created_at"])
        if metric["initially_assigned_at"]:
            _add(asa, "email", (parse_instant(metric["initially_assigned_at"]) - created) / 1000)
        if metric["replies"] >= 1:
            _add(aht, "email", ticket["custom_fields"][0]["value"])
    return aht, asa


def csat(client: Client) -> Sums:
    sums: Sums = {}
    number = 1
    while True:
        rows = client.get(
            "delighted", f"/v1/survey_responses.json?per_page=100&page={number}"
        ).json()
        if not rows:
            break
        for row in rows:
            if row["survey_type"] == "csat":
                _add(sums, row["person_properties"]["Channel"], float(row["score"] >= 4))
        number += 1
    ratings = client.get("zendesk", "/api/v2/satisfaction_ratings.json?page[size]=100").json()
    assert not ratings["meta"]["has_more"]
    for rating in ratings["satisfaction_ratings"]:
        if rating["score"] in ("good", "bad"):
            _add(sums, "email", float(rating["score"] == "good"))
    return sums


def occupancy(client: Client, world: World) -> Sums:
    emails = {
        a["id"]: a["email"]
        for a in client.get("assembled", "/v0/agents?limit=500").json()["agents"]
    }
    sums: Sums = {}
    for day in range(world.days):
        start = world.start_ms // 1000 + day * 86_400
        page = client.get(
            "assembled",
            f"/v0/agents/state?start_time={start}&end_time={start + 86_400}&limit=10000",
        ).json()
        for state in page["states"]:
            if state["end_time"] is None or state["state"] not in (
                "available",
                "on_contact",
                "acw",
            ):
                continue
            if parse_instant(state["start_time"]) < start * 1000:
                continue
            seconds = parse_instant(state["end_time"]) - parse_instant(state["start_time"])
            working = state["state"] != "available"
            _add(sums, emails[state["agent_id"]], seconds / 1000 if working else 0, seconds / 1000)
    return sums


def qa(client: Client) -> Sums:
    sums: Sums = {}
    page = client.get(
        "zendesk-qa", "/api/export/reviews?fromDate=2025-01-01T00:00:00Z&pageSize=1000"
    ).json()
    for conversation in page["conversations"]:
        for review in conversation["reviews"]:
            _add(sums, review["reviewee"]["email"], review["score"])
    return sums


def _truth(world: World, kpi: str, by: str) -> Sums:
    return {
        row[by]: [row["numerator"], row["denominator"]]
        for row in truth(world, kpi=kpi, by=[by], grain="all")
    }


def _same(api: Sums, oracle: Sums) -> None:
    assert set(api) == set(oracle)
    for key, (numerator, denominator) in api.items():
        assert numerator == pytest.approx(oracle[key][0], rel=1e-9), key
        assert denominator == pytest.approx(oracle[key][1], rel=1e-9), key


def test_handle_time_and_speed_of_answer(small_world: World, client: Client) -> None:
    aht, asa = handle_and_answer(client)
    _same(aht, _truth(small_world, "average_handle_time", "channel"))
    _same(asa, _truth(small_world, "average_speed_of_answer", "channel"))


def test_csat(small_world: World, client: Client) -> None:
    _same(csat(client), _truth(small_world, "csat", "channel"))


def test_occupancy(small_world: World, client: Client) -> None:
    _same(occupancy(client, small_world), _truth(small_world, "occupancy_rate", "agent"))


def test_qa_score(small_world: World, client: Client) -> None:
    _same(qa(client), _truth(small_world, "qa_score", "agent"))


def test_offered_per_channel(small_world: World, client: Client) -> None:
    offered: dict[str, float] = defaultdict(float)
    for conversation in _genesys(client):
        offered["voice"] += sum(p["purpose"] == "acd" for p in conversation["participants"])
    for conversation in _intercom(client):
        offered["chat" if conversation["source"]["type"] == "conversation" else "messaging"] += 1
    offered["email"] = len(_zendesk(client)[0])
    rows = truth(small_world, kpi="contacts_offered", by=["channel"], grain="all")
    assert dict(offered) == {row["channel"]: row["value"] for row in rows}


def _replies(times: list[tuple[int, str]]) -> list[tuple[int, int]]:
    """(reply time, wait) per agent reply, from time-ordered (time, 'customer'|'agent')."""
    waiting, found = None, []
    for at, role in times:
        if role == "customer" and waiting is None:
            waiting = at
        elif role == "agent" and waiting is not None:
            found.append((at, at - waiting))
            waiting = None
    return found


def response_times(client: Client) -> Sums:
    sums: Sums = {}
    for summary in _intercom(client):
        conversation = client.get("intercom", f"/conversations/{summary['id']}").json()
        channel = "chat" if conversation["source"]["type"] == "conversation" else "messaging"
        times = [(conversation["created_at"], "customer")]
        for part in conversation["conversation_parts"]["conversation_parts"][1:]:
            if part["part_type"] == "comment":
                role = "customer" if part["author"]["type"] == "user" else "agent"
                times.append((part["created_at"], role))
        for _, wait in _replies(times):
            _add(sums, channel, wait)
    tickets, _ = _zendesk(client)
    live = {ticket["id"] for ticket in tickets}
    requesters = {ticket["id"]: ticket["requester_id"] for ticket in tickets}
    events = client.get(
        "zendesk", "/api/v2/incremental/ticket_events.json?start_time=0&include=comment_events"
    ).json()["ticket_events"]
    by_ticket: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for event in events:
        for child in event["child_events"]:
            if child["event_type"] == "Comment" and event["ticket_id"] in live:
                role = (
                    "customer" if child["author_id"] == requesters[event["ticket_id"]] else "agent"
                )
                by_ticket[event["ticket_id"]].append((event["timestamp"], role))
    for times in by_ticket.values():
        for _, wait in _replies(sorted(times)):
            _add(sums, "email", wait)
    return sums


def test_response_times(small_world: World, client: Client) -> None:
    _same(response_times(client), _truth(small_world, "average_response_time", "channel"))


def adherence(client: Client, world: World) -> Sums:
    """Scheduled seconds matched by the agent's states, per agent (Assembled only)."""
    emails = {
        a["id"]: a["email"]
        for a in client.get("assembled", "/v0/agents?limit=500").json()["agents"]
    }
    allowed = {
        "on_queue": {"available", "on_contact", "acw"},
        "break": {"break"},
        "lunch": {"break"},
        "training": {"training"},
        "meeting": {"meeting"},
    }
    now = client.call("GET", "/_sandbox/clock").json()["now_ms"]
    sums: Sums = {}
    for day in range(world.days):
        start = world.start_ms // 1000 + day * 86_400
        window = f"start_time={start}&end_time={start + 86_400}"
        activities = client.get("assembled", f"/v0/activities?{window}&limit=5000").json()
        states = client.get("assembled", f"/v0/agents/state?{window}&limit=10000").json()
        timeline: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
        for state in states["states"]:
            if state["end_time"] is not None:
                timeline[state["agent_id"]].append(
                    (
                        parse_instant(state["start_time"]),
                        parse_instant(state["end_time"]),
                        state["state"],
                    )
                )
        for block in activities["activities"]:
            begin, end = parse_instant(block["start_time"]), parse_instant(block["end_time"])
            if block["deleted"] or end > now or begin < start * 1000:
                continue
            matched = sum(
                max(0, min(end, s_end) - max(begin, s_start))
                for s_start, s_end, kind in timeline[block["agent_id"]]
                if kind in allowed[block["activity_type"]]
            )
            _add(sums, emails[block["agent_id"]], matched / 1000, (end - begin) / 1000)
    return sums


def test_schedule_adherence(small_world: World, client: Client) -> None:
    _same(adherence(client, small_world), _truth(small_world, "schedule_adherence_rate", "agent"))


def _hubspot_phones(client: Client) -> dict[str, str]:
    phones: dict[str, str] = {}
    after = "0"
    while True:
        page = client.post(
            "hubspot", "/crm/v3/objects/contacts/search", {"limit": 200, "after": after}
        ).json()
        phones.update({r["properties"]["phone"]: r["id"] for r in page["results"]})
        if "paging" not in page:
            return phones
        after = page["paging"]["next"]["after"]


def _zendesk_externals(client: Client) -> dict[int, str]:
    externals: dict[int, str] = {}
    cursor = ""
    while True:
        body = client.get(
            "zendesk", f"/api/v2/users.json?role=end-user&page[size]=100{cursor}"
        ).json()
        externals.update({u["id"]: u["external_id"] for u in body["users"]})
        if not body["meta"]["has_more"]:
            return externals
        cursor = f"&page[after]={body['meta']['after_cursor']}"


Outcome = tuple[str, int, str, str, bool]  # channel, offered, customer, mode, handled


def _voice_outcomes(client: Client) -> list[Outcome]:
    """Mode: `yes`/`no` from the last leg's wrap-up code, `derive`, or `skip` while unfinished."""
    phones = _hubspot_phones(client)
    codes = {
        c["id"]: c["name"]
        for c in client.get("genesys", "/api/v2/routing/wrapupcodes").json()["entities"]
    }
    found = []
    for conversation in _genesys(client):
        participants = conversation["participants"]
        customer = phones[participants[0]["sessions"][0]["ani"][len("tel:") :]]
        last = participants[-1]
        mode = "skip"
        if last["purpose"] == "agent" and "tHandle" in _metrics(last):
            wrapups = [s for s in last["sessions"][0]["segments"] if "wrapUpCode" in s]
            code = codes[wrapups[0]["wrapUpCode"]] if wrapups else ""
            mode = {"Resolved": "yes", "Follow-up Required": "no"}.get(code, "derive")
        handled = len(participants) > 2 and participants[2]["purpose"] == "agent"
        found.append(
            ("voice", parse_instant(conversation["conversationStart"]), customer, mode, handled)
        )
    return found


def first_contact_resolution(client: Client) -> Sums:
    """FCR per channel: wrap-up codes, ticket reopens, else the seven-day repeat rule."""
    contacts = _voice_outcomes(client)
    for conversation in _intercom(client):
        channel = "chat" if conversation["source"]["type"] == "conversation" else "messaging"
        contacts.append(
            (
                channel,
                conversation["created_at"] * 1000,
                conversation["contacts"]["contacts"][0]["external_id"],
                "derive",
                "first_assignment_at" in conversation["statistics"],
            )
        )
    tickets, metrics = _zendesk(client)
    externals = _zendesk_externals(client)
    for ticket in tickets:
        metric = metrics[ticket["id"]]
        mode = (
            "skip" if metric["solved_at"] is None else ("yes" if metric["reopens"] == 0 else "no")
        )
        contacts.append(
            (
                "email",
                parse_instant(ticket["created_at"]),
                externals[ticket["requester_id"]],
                mode,
                metric["initially_assigned_at"] is not None,
            )
        )
    now = client.call("GET", "/_sandbox/clock").json()["now_ms"]
    week = 7 * 86_400_000
    by_customer: dict[str, list[int]] = defaultdict(list)
    for _, offered, customer, _, _ in contacts:
        by_customer[customer].append(offered)
    sums: Sums = {}
    for channel, offered, customer, mode, handled in contacts:
        if not handled or mode == "skip":
            continue
        if mode in ("yes", "no"):
            _add(sums, channel, float(mode == "yes"))
        elif any(offered < t <= offered + week for t in by_customer[customer]):
            _add(sums, channel, 0.0)
        elif offered + week <= now:
            _add(sums, channel, 1.0)
    return sums


def test_first_contact_resolution(small_world: World, client: Client) -> None:
    _same(
        first_contact_resolution(client),
        _truth(small_world, "first_contact_resolution_rate", "channel"),
    )


def chat_concurrency(client: Client) -> Sums:
    """Per admin: handling time over the union of assignment-to-close stretches."""
    emails = {a["id"]: a["email"] for a in client.get("intercom", "/admins").json()["admins"]}
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    sums: Sums = {}
    for conversation in _intercom(client):
        stats = conversation["statistics"]
        if "handling_time" not in stats:
            continue
        email = emails[str(conversation["admin_assignee_id"])]
        _add(sums, email, stats["handling_time"], 0)
        spans[email].append((stats["first_assignment_at"], stats["last_close_at"]))
    for email, items in spans.items():
        end = -1
        for start, stop in sorted(items):
            if start < end:
                _add(sums, email, 0, max(stop, end) - end)
                end = max(end, stop)
            else:
                _add(sums, email, 0, stop - start)
                end = stop
    return sums


def test_chat_concurrency(small_world: World, client: Client) -> None:
    _same(chat_concurrency(client), _truth(small_world, "chat_concurrency", "agent"))
