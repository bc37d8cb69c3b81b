"""Each vendor: paging, incremental parameters, credentials, rate limits and every fault."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandbox import FakeClock, FaultConfig, RateLimit, World, make_app
from sandbox.timeutil import parse_instant
from tests.sandbox.conftest import Client, basic, no_limits

Walker = Callable[[Client, int], list[str]]


def _genesys(client: Client, size: int) -> list[str]:
    found, number = [], 1
    while True:
        body = {
            "interval": "2026-01-05T00:00:00Z/2026-01-08T00:00:00Z",
            "paging": {"pageSize": size, "pageNumber": number},
        }
        page = client.post("genesys", "/api/v2/analytics/conversations/details/query", body)
        rows = page.json().get("conversations", [])
        if not rows:
            return found
        found += [row["conversationId"] for row in rows]
        number += 1


def _genesys_jobs(client: Client, size: int) -> list[str]:
    job = client.post(
        "genesys",
        "/api/v2/analytics/conversations/details/jobs",
        {"interval": "2026-01-05T00:00:00Z/2026-01-08T00:00:00Z"},
    ).json()["jobId"]
    base = f"/api/v2/analytics/conversations/details/jobs/{job}"
    assert client.get("genesys", base).json()["state"] == "FULFILLED"
    found, cursor = [], ""
    while True:
        page = client.get("genesys", f"{base}/results?pageSize={size}{cursor}").json()
        found += [row["conversationId"] for row in page["conversations"]]
        if "cursor" not in page:
            return found
        cursor = f"&cursor={page['cursor']}"


def _intercom(client: Client, size: int) -> list[str]:
    found, after = [], None
    while True:
        body: dict[str, Any] = {
            "query": {"field": "updated_at", "operator": ">", "value": 0},
            "pagination": {"per_page": size},
        }
        if after:
            body["pagination"]["starting_after"] = after
        page = client.post("intercom", "/conversations/search", body).json()
        found += [row["id"] for row in page["conversations"]]
        after = page["pages"].get("next", {}).get("starting_after")
        if not after:
            return found


def _zendesk(client: Client, size: int) -> list[str]:
    found, query = [], "start_time=0"
    while True:
        page = client.get(
            "zendesk", f"/api/v2/incremental/tickets/cursor.json?per_page={size}&{query}"
        ).json()
        found += [str(row["id"]) for row in page["tickets"]]
        if page["end_of_stream"]:
            return found
        query = f"cursor={page['after_cursor']}"


def _zendesk_ratings(client: Client, size: int) -> list[str]:
    found, after = [], ""
    while True:
        page = client.get(
            "zendesk", f"/api/v2/satisfaction_ratings.json?page[size]={size}{after}"
        ).json()
        found += [str(row["id"]) for row in page["satisfaction_ratings"]]
        if not page["meta"]["has_more"]:
            return found
        after = f"&page[after]={page['meta']['after_cursor']}"


def _delighted(client: Client, size: int) -> list[str]:
    found, number = [], 1
    while True:
        rows = client.get(
            "delighted", f"/v1/survey_responses.json?per_page={size}&page={number}"
        ).json()
        if not rows:
            return found
        found += [row["id"] for row in rows]
        number += 1


def _hubspot(client: Client, size: int) -> list[str]:
    found, after = [], "0"
    while True:
        page = client.post(
            "hubspot",
            "/crm/v3/objects/deals/search",
            {
                "limit": size,
                "after": after,
                "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
            },
        ).json()
        found += [row["id"] for row in page["results"]]
        if "paging" not in page:
            return found
        after = page["paging"]["next"]["after"]


def _bamboohr(client: Client, size: int) -> list[str]:
    found, after = [], ""
    while True:
        page = client.get("bamboohr", f"/api/v1/employees?page[limit]={size}{after}").json()
        found += [row["employeeId"] for row in page["data"]]
        cursor = page["meta"]["page"]["nextCursor"]
        if not cursor:
            return found
        after = f"&page[after]={cursor}"


def _assembled(client: Client, size: int) -> list[str]:
    found, offset = [], 0
    window = "start_time=1767571200&end_time=2026-01-08T00:00:00Z"
    while True:
        page = client.get(
            "assembled", f"/v0/agents/state?{window}&limit={size}&offset={offset}"
        ).json()
        found += [row["id"] for row in page["states"]]
        offset += size
        if offset >= page["total"]:
            return found


def _zendesk_qa(client: Client, size: int) -> list[str]:
    found, number = [], 1
    while True:
        page = client.get(
            "zendesk-qa",
            "/api/export/workspace/101/reviews?fromDate=2026-01-01"
            f"T00:00:00Z&pageSize={size}&page={number}",
        ).json()
        found += [r["id"] for c in page["conversations"] for r in c["reviews"]]
        if number * size >= page["pagination"]["total"]:
            return found
        number += 1


# (walker, a small page size, the vendor's largest page size)
WALKERS: dict[str, tuple[Walker, int, int]] = {
    "genesys-query": (_genesys, 40, 100),
    "genesys-jobs": (_genesys_jobs, 40, 1000),
    "intercom-search": (_intercom, 50, 150),
    "zendesk-tickets": (_zendesk, 20, 1000),
    "zendesk-ratings": (_zendesk_ratings, 10, 100),
    "delighted-responses": (_delighted, 25, 100),
    "hubspot-deals": (_hubspot, 100, 200),
    "bamboohr-employees": (_bamboohr, 5, 100),
    "assembled-states": (_assembled, 500, 10000),
    "zendesk-qa-reviews": (_zendesk_qa, 2, 1000),
}


@pytest.mark.parametrize("name", list(WALKERS))
def test_paging_walks_every_record_once(client: Client, name: str) -> None:
    walker, size, largest = WALKERS[name]
    paged = walker(client, size)
    whole = walker(client, largest)
    assert len(paged) > size, "the case must span several pages"
    assert len(paged) == len(set(paged))
    assert sorted(paged) == sorted(whole)


# --- incremental parameters ---------------------------------------------------------------

SINCE = "2026-01-07T00:00:00Z"
SINCE_S = parse_instant(SINCE) // 1000


def _changed_intercom(client: Client) -> list[int]:
    page = client.post(
        "intercom",
        "/conversations/search",
        {
            "query": {"field": "updated_at", "operator": ">", "value": SINCE_S},
            "pagination": {"per_page": 150},
        },
    ).json()
    return [row["updated_at"] for row in page["conversations"]]


def _changed_zendesk(client: Client) -> list[int]:
    page = client.get("zendesk", f"/api/v2/incremental/tickets/cursor.json?start_time={SINCE_S}")
    return [parse_instant(t["updated_at"]) // 1000 for t in page.json()["tickets"]]


def _changed_zendesk_events(client: Client) -> list[int]:
    page = client.get("zendesk", f"/api/v2/incremental/ticket_events.json?start_time={SINCE_S}")
    return [event["timestamp"] for event in page.json()["ticket_events"]]


def _changed_delighted(client: Client) -> list[int]:
    rows = client.get(
        "delighted", f"/v1/survey_responses.json?per_page=100&updated_since={SINCE_S}"
    ).json()
    return [row["updated_at"] for row in rows]


def _changed_hubspot(client: Client) -> list[int]:
    body = {
        "limit": 200,
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": SINCE}
                ]
            }
        ],
    }
    page = client.post("hubspot", "/crm/v3/objects/deals/search", body).json()
    return [parse_instant(r["properties"]["hs_lastmodifieddate"]) // 1000 for r in page["results"]]


def _changed_bamboohr(client: Client) -> list[int]:
    """Employees change rarely: look a year back and shift the stamps onto SINCE."""
    since = "2025-01-07T00:00:00Z"
    page = client.get("bamboohr", f"/api/v1/employees/changed?since={since}").json()
    shift = SINCE_S - parse_instant(since) // 1000
    return [parse_instant(e["lastChanged"]) // 1000 + shift for e in page["employees"].values()]


def _changed_qa(client: Client) -> list[int]:
    page = client.get("zendesk-qa", f"/api/export/reviews?fromDate={SINCE}").json()
    return [
        parse_instant(r["updated"]) // 1000 for c in page["conversations"] for r in c["reviews"]
    ]


def _changed_assembled(client: Client) -> list[int]:
    page = client.get(
        "assembled", f"/v0/activities?start_time={SINCE}&end_time=2026-01-08T00:00:00Z"
    ).json()
    return [parse_instant(a["end_time"]) // 1000 for a in page["activities"]]


INCREMENTAL = {
    "intercom-updated_at": _changed_intercom,
    "zendesk-start_time": _changed_zendesk,
    "zendesk-events-start_time": _changed_zendesk_events,
    "delighted-updated_since": _changed_delighted,
    "hubspot-lastmodified": _changed_hubspot,
    "bamboohr-since": _changed_bamboohr,
    "zendesk-qa-fromDate": _changed_qa,
    "assembled-time-range": _changed_assembled,
}


@pytest.mark.parametrize("name", list(INCREMENTAL))
def test_incremental_parameters_return_only_later_changes(client: Client, name: str) -> None:
    stamps = INCREMENTAL[name](client)
    assert stamps, "the window must hold changes"
    assert min(stamps) >= SINCE_S


def test_genesys_interval_selects_conversation_start(client: Client) -> None:
    body = {"interval": "2026-01-06T00:00:00Z/2026-01-06T12:00:00Z", "paging": {"pageSize": 100}}
    rows = client.post("genesys", "/api/v2/analytics/conversations/details/query", body).json()[
        "conversations"
    ]
    starts = [parse_instant(row["conversationStart"]) for row in rows]
    assert parse_instant("2026-01-06T00:00:00Z") <= min(starts)
    assert max(starts) < parse_instant("2026-01-06T12:00:00Z")


def test_hubspot_search_stops_at_ten_thousand(client: Client) -> None:
    answer = client.post(
        "hubspot", "/crm/v3/objects/contacts/search", {"limit": 100, "after": "9950"}
    )
    assert answer.status == 400
    assert answer.json()["category"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("object_type", ["contacts", "companies", "deals", "p_cost_items"])
def test_hubspot_lists_every_property_its_records_carry(client: Client, object_type: str) -> None:
    listed = client.get("hubspot", f"/crm/v3/properties/{object_type}").json()["results"]
    records = client.post("hubspot", f"/crm/v3/objects/{object_type}/search", {"limit": 50}).json()[
        "results"
    ]

    names = {item["name"] for item in listed}
    assert records
    assert set().union(*(record["properties"] for record in records)) <= names
    assert all(item["type"] in {"string", "number", "datetime", "enumeration"} for item in listed)


def test_hubspot_properties_of_an_unknown_type_are_a_404(client: Client) -> None:
    assert client.get("hubspot", "/crm/v3/properties/tickets").status == 404


def test_zendesk_deleted_tickets_are_listed(small_world: World, client: Client) -> None:
    exported = client.get("zendesk", "/api/v2/incremental/tickets/cursor.json?start_time=0")
    deleted_in_export = {t["id"] for t in exported.json()["tickets"] if t["status"] == "deleted"}
    listed = client.get("zendesk", "/api/v2/deleted_tickets.json").json()["deleted_tickets"]
    assert deleted_in_export == {row["id"] for row in listed}


# --- credentials --------------------------------------------------------------------------

BAD_CREDENTIALS = [
    ("genesys", "/api/v2/users", {"Authorization": "Bearer wrong"}),
    ("intercom", "/admins", {"Authorization": "Bearer wrong"}),
    ("zendesk", "/api/v2/groups.json", basic("api@support.sandbox-cc.example/token", "nope")),
    ("delighted", "/v1/people.json", basic("wrong", "")),
    ("hubspot", "/crm/v3/objects/contacts", {"Authorization": "Bearer wrong"}),
    ("bamboohr", "/api/v1/employees/directory", basic("wrong", "x")),
    (
        "bamboohr",
        "/api/gateway.php/othercompany/v1/employees/directory",
        basic("sandbox-bamboohr-key", "x"),
    ),
    ("assembled", "/v0/agents", basic("sk_live_wrong", "")),
    ("zendesk-qa", "/api/export/workspaces", {}),
]


@pytest.mark.parametrize(
    ("vendor", "path", "headers"),
    BAD_CREDENTIALS,
    ids=[f"{v}-{i}" for i, (v, _, _) in enumerate(BAD_CREDENTIALS)],
)
def test_bad_credentials_get_401(
    client: Client, vendor: str, path: str, headers: dict[str, str]
) -> None:
    answer = client.call("GET", f"/{vendor}{path}", headers=headers)
    assert answer.status == 401
    assert answer.json()


def test_genesys_token_needs_the_client_secret(client: Client) -> None:
    answer = client.call(
        "POST",
        "/genesys/oauth/token",
        form="grant_type=client_credentials",
        headers=basic("sandbox-genesys-client", "wrong"),
    )
    assert answer.status == 401
    assert answer.json()["error"] == "invalid_client"


# --- rate limits ------------------------------------------------------------------------------

LIMITED = [
    ("genesys", "/api/v2/routing/queues", "genesys"),
    ("intercom", "/teams", "intercom"),
    ("zendesk", "/api/v2/incremental/tickets/cursor.json?start_time=0", "zendesk-export"),
    ("delighted", "/v1/people.json", "delighted"),
    ("hubspot", "/crm/v3/objects/contacts?limit=1", "hubspot"),
    ("bamboohr", "/api/v1/employees/directory", "bamboohr"),
    ("assembled", "/v0/activity_types", "assembled"),
    ("zendesk-qa", "/api/export/workspaces", "zendesk-qa"),
]


@pytest.mark.parametrize(("vendor", "path", "bucket"), LIMITED, ids=[v for v, _, _ in LIMITED])
def test_rate_limit_answers_429_with_retry_after(
    small_world: World, vendor: str, path: str, bucket: str
) -> None:
    clock = FakeClock()
    client = Client(make_app(small_world, rate_limits={bucket: RateLimit(3, 10.0)}, clock=clock))
    statuses = [client.get(vendor, path).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get(vendor, path)
    assert refused.headers["retry-after"] == "10"
    clock.advance(4)
    assert client.get(vendor, path).headers["retry-after"] == "6"
    clock.advance(6)
    assert client.get(vendor, path).status == 200


def test_rate_limit_headers_count_down(small_world: World) -> None:
    client = Client(
        make_app(small_world, rate_limits={"intercom": RateLimit(5, 10.0)}, clock=FakeClock())
    )
    remaining = [
        client.get("intercom", "/teams").headers["x-ratelimit-remaining"] for _ in range(3)
    ]
    assert remaining == ["4", "3", "2"]


# --- faults ---------------------------------------------------------------------------------


def _faulty(world: World, vendor: str, sleeps: list[float] | None = None, **config: Any) -> Client:
    sleeper = sleeps.append if sleeps is not None else (lambda _: None)
    return Client(
        make_app(
            world, faults={vendor: FaultConfig(**config)}, rate_limits=no_limits(), sleeper=sleeper
        )
    )


def test_429_bursts_have_retry_after(small_world: World) -> None:
    client = _faulty(small_world, "zendesk", rate_limit_burst=1.0, burst_length=3)
    answer = client.get("zendesk", "/api/v2/groups.json")
    assert answer.status == 429
    assert int(answer.headers["retry-after"]) >= 1


def test_server_errors(small_world: World) -> None:
    client = _faulty(small_world, "hubspot", server_error=1.0)
    assert {client.get("hubspot", "/crm/v3/objects/deals").status for _ in range(8)} <= {
        500,
        502,
        503,
    }


def test_slow_answers_and_timeouts_call_the_sleeper(small_world: World) -> None:
    sleeps: list[float] = []
    slow = _faulty(small_world, "intercom", sleeps, slow=1.0, slow_seconds=2.5)
    assert slow.get("intercom", "/teams").status == 200
    hung = _faulty(small_world, "intercom", sleeps, timeout=1.0, timeout_seconds=90)
    assert hung.get("intercom", "/teams").status == 504
    assert sleeps == [2.5, 90]


def test_expired_token(small_world: World) -> None:
    client = _faulty(small_world, "genesys", expired_token=1.0)
    answer = client.get("genesys", "/api/v2/routing/queues")
    assert answer.status == 401
    assert "expired" in answer.json()["message"]


DUPLICATED = [
    ("zendesk", _zendesk_ratings, 10),
    ("zendesk", _zendesk, 20),
    ("intercom", _intercom, 50),
    ("delighted", _delighted, 25),
    ("bamboohr", _bamboohr, 5),
    ("genesys", _genesys_jobs, 40),
]


@pytest.mark.parametrize(
    ("vendor", "walker", "size"),
    DUPLICATED,
    ids=[f"{v}-{w.__name__.strip('_')}" for v, w, _ in DUPLICATED],
)
def test_same_record_on_two_pages(
    small_world: World, vendor: str, walker: Walker, size: int
) -> None:
    ids = walker(_faulty(small_world, vendor, duplicate=1.0), size)
    assert len(ids) > len(set(ids))


def test_out_of_order_records(small_world: World) -> None:
    plain = _faulty(small_world, "delighted")
    shuffled = _faulty(small_world, "delighted", out_of_order=1.0)
    path = "/v1/survey_responses.json?per_page=50"
    ordered = [row["id"] for row in plain.get("delighted", path).json()]
    mixed = [row["id"] for row in shuffled.get("delighted", path).json()]
    assert sorted(ordered) == sorted(mixed)
    assert ordered != mixed


MALFORMED = [
    ("missing_id", lambda row: "id" not in row),
    ("bad_timestamp", lambda row: "not-a-timestamp" in (row["created_at"], row["updated_at"])),
    ("score_out_of_scale", lambda row: row["score"] == 42),
    ("negative_duration", None),
]


@pytest.mark.parametrize(("kind", "check"), MALFORMED, ids=[kind for kind, _ in MALFORMED])
def test_malformed_records(
    small_world: World, kind: str, check: Callable[[dict[str, Any]], bool] | None
) -> None:
    if check is None:
        client = _faulty(small_world, "genesys", malformed=1.0, malformed_kinds=(kind,))
        body = {"interval": "2026-01-05T00:00:00Z/2026-01-06T00:00:00Z", "paging": {"pageSize": 20}}
        rows = client.post("genesys", "/api/v2/analytics/conversations/details/query", body).json()[
            "conversations"
        ]
        values = [
            m["value"]
            for c in rows
            for p in c["participants"]
            for s in p["sessions"]
            for m in s.get("metrics", [])
        ]
        assert min(values) < 0
        return
    client = _faulty(small_world, "delighted", malformed=1.0, malformed_kinds=(kind,))
    rows = client.get("delighted", "/v1/survey_responses.json?per_page=20").json()
    assert sum(check(row) for row in rows) == 1


def test_faults_are_deterministic(small_world: World) -> None:
    def statuses() -> list[int]:
        client = _faulty(small_world, "intercom", server_error=0.3, rate_limit_burst=0.1)
        return [client.get("intercom", "/teams").status for _ in range(30)]

    first = statuses()
    assert first == statuses()
    assert len(set(first)) > 1


def test_faults_can_be_set_over_http(small_world: World) -> None:
    client = Client(make_app(small_world, rate_limits=no_limits()))
    assert (
        client.call("POST", "/_sandbox/faults", body={"assembled": {"server_error": 1.0}}).status
        == 200
    )
    assert client.get("assembled", "/v0/activity_types").status >= 500
    assert client.call("POST", "/_sandbox/faults", body={"assembled": {"nope": 1}}).status == 400


# --- every documented endpoint answers ------------------------------------------------------

DAY = "start_time=2026-01-06T00:00:00Z&end_time=2026-01-07T00:00:00Z"
ENDPOINTS = [
    ("genesys", "GET", "/api/v2/users?pageSize=5", None),
    ("genesys", "GET", "/api/v2/routing/queues", None),
    ("genesys", "GET", "/api/v2/routing/skills", None),
    ("genesys", "GET", "/api/v2/routing/wrapupcodes", None),
    (
        "genesys",
        "POST",
        "/api/v2/analytics/users/details/query",
        {"interval": "2026-01-06T00:00:00Z/2026-01-07T00:00:00Z", "paging": {"pageSize": 10}},
    ),
    ("intercom", "GET", "/conversations?per_page=5", None),
    ("intercom", "GET", "/contacts?per_page=5", None),
    ("zendesk", "GET", "/api/v2/users.json?role=agent", None),
    ("zendesk", "GET", "/api/v2/groups.json", None),
    (
        "zendesk",
        "GET",
        "/api/v2/incremental/ticket_events.json?start_time=0&include=comment_events",
        None,
    ),
    ("delighted", "GET", "/v1/people.json?per_page=5", None),
    ("delighted", "GET", "/v1/survey_responses.json?expand[]=person&order=desc:updated_at", None),
    (
        "hubspot",
        "POST",
        "/crm/v3/objects/contacts/search",
        {
            "limit": 5,
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"}
                    ]
                }
            ],
        },
    ),
    ("hubspot", "POST", "/crm/v3/objects/companies/search", {"limit": 5}),
    ("hubspot", "POST", "/crm/v3/objects/p_cost_items/search", {"limit": 5}),
    ("hubspot", "GET", "/crm/v3/objects/deals?archived=true", None),
    ("hubspot", "GET", "/crm/v3/objects/contacts/10000", None),
    ("bamboohr", "GET", "/api/gateway.php/sandbox/v1/employees/directory", None),
    (
        "bamboohr",
        "POST",
        "/api/gateway.php/sandbox/v1/reports/custom?format=JSON",
        {
            "fields": ["workEmail", "hireDate", "terminationDate", "payRate"],
            "filters": {"lastChanged": {"includeNull": "no", "value": "2025-01-01T00:00:00Z"}},
        },
    ),
    ("assembled", "GET", "/v0/agents", None),
    ("assembled", "GET", f"/v0/activities?{DAY}", None),
    ("assembled", "GET", f"/v0/agents/state/condensed_timeline?{DAY}", None),
    ("zendesk-qa", "GET", "/api/export/workspace/101/users", None),
]


@pytest.mark.parametrize(
    ("vendor", "method", "path", "body"),
    ENDPOINTS,
    ids=[f"{v}:{p.split('?')[0]}" for v, _, p, _ in ENDPOINTS],
)
def test_endpoint_answers(client: Client, vendor: str, method: str, path: str, body: Any) -> None:
    answer = client.call(method, f"/{vendor}{path}", body=body, headers=client.auth(vendor))
    assert answer.status == 200, answer.body[:300]
    assert answer.json() not in ({}, [])


def test_unknown_route_is_404_in_vendor_shape(client: Client) -> None:
    answer = client.get("intercom", "/nothing/here")
    assert answer.status == 404
    assert answer.json()["type"] == "error.list"


def test_bamboohr_reports_deleted_duplicates(client: Client) -> None:
    changed = client.get(
        "bamboohr", "/api/v1/employees/changed?since=2020-01-01T00:00:00Z&type=deleted"
    ).json()["employees"]
    assert changed
    assert {row["action"] for row in changed.values()} == {"Deleted"}
    some = next(iter(changed))
    assert client.get("bamboohr", f"/api/v1/employees/{some}").status == 404


UNREADABLE = [
    (
        "intercom",
        "/conversations/search",
        {
            "query": {"field": "updated_at", "operator": ">", "value": 0},
            "pagination": {"per_page": "x"},
        },
    ),
    ("genesys", "/api/v2/analytics/conversations/details/query", {"interval": "yesterday"}),
    ("hubspot", "/crm/v3/objects/deals/search", {"limit": "many"}),
]


@pytest.mark.parametrize(
    ("vendor", "path", "body"), UNREADABLE, ids=[vendor for vendor, _, _ in UNREADABLE]
)
def test_unreadable_requests_get_400(
    client: Client, vendor: str, path: str, body: dict[str, Any]
) -> None:
    assert client.post(vendor, path, body).status == 400
