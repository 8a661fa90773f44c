"""The authorization matrix: every route x every role x (in scope, out of scope, no token, expired
token) -> the status the caller gets, through the local API as a client calls it.

Generated from one table, ROUTES. A route of app.py without a row fails `test_every_route_has_a_row`:
a new route adds its row here (and its action to chalicelib/access.RULES). A row says how to call
the route about a thing in a given place, and what each role gets when that place is inside its
area (in scope) and when it is another district's (out of scope).

The callers: a mission admin, the district coordinator and the block coordinator of place A, and
the resource person of place A's SHG. "No token" sends no Authorization header (a signed webhook:
no signature); "expired token" sends a token that expired a minute ago (a webhook: a signature
from outside the replay window).
"""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from chalice import Chalice

from chalicelib.auth import Principal, Role, issue_local_token
from chalicelib.registry.imports import service as imports
from haat_tools import webhook_client
from haat_tools.local import runner
from tests.orders.helpers import amazon_change, enqueue_raw
from tests.registry_seed import put

ADMIN, DISTRICT, BLOCK, RESOURCE = (
    Role.MISSION_ADMIN,
    Role.DISTRICT_COORDINATOR,
    Role.BLOCK_COORDINATOR,
    Role.RESOURCE_PERSON,
)
CASES = ("in_scope", "out_of_scope", "no_token", "expired_token")


@dataclass(frozen=True)
class Place:
    """One SHG of the matrix's registry: a member, a product, an order and a registry import of its own."""

    district: str
    block: str
    shg_id: str
    product_id: str
    meesho_sku: str
    amazon_sku: str
    order_id: str
    member_id: str
    import_id: str = ""  # a registry import its area's coordinator ran


@dataclass(frozen=True)
class World:
    inside: Place  # in every scoped caller's area
    outside: Place  # in another district

    def principal(self, role: Role) -> Principal:
        place = self.inside
        scope: dict[str, Any] = {
            ADMIN: {},
            DISTRICT: {"district": place.district},
            BLOCK: {"district": place.district, "block": place.block},
            RESOURCE: {"shg_ids": (place.shg_id,)},
        }[role]
        return Principal(subject=f"matrix-{role.value}", role=role, **scope)


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Request = Callable[[Place, str], Call]  # (the place the call is about, the case) -> the call


@dataclass(frozen=True)
class Row:
    request: Request
    statuses: dict[Role, tuple[int, int]]  # role -> (in scope, out of scope)
    no_token: int = 401
    expired_token: int = 401
    check: Callable[[Role, str, Any], None] | None = None  # more than the status, where it matters

    def expected(self, role: Role, case: str) -> int:
        if case == "no_token":
            return self.no_token
        if case == "expired_token":
            return self.expired_token
        return self.statuses[role][0 if case == "in_scope" else 1]


def every_role(in_scope: int, out_of_scope: int) -> dict[Role, tuple[int, int]]:
    return dict.fromkeys(Role, (in_scope, out_of_scope))


def scoped(allowed: int, refused: int = 403) -> dict[Role, tuple[int, int]]:
    """Every role reads its own area; only the mission admin reads another district's."""
    return {role: (allowed, allowed if role is ADMIN else refused) for role in Role}


def coordinators(status: int) -> dict[Role, tuple[int, int]]:
    """Coordinators and the mission admin, wherever they ask; resource persons never."""
    return {**every_role(status, status), RESOURCE: (403, 403)}


def get(path: str) -> Request:
    return lambda place, case: Call("GET", path.format(place=place))


def post(path: str) -> Request:
    return lambda place, case: Call("POST", path)


def send_json(method: str, path: str, body: dict[str, Any]) -> Request:
    return lambda place, case: Call(
        method, path.format(place=place), json.dumps(body).encode(), {"Content-Type": "application/json"}
    )


def registry_csv(place: Place, case: str) -> Call:
    """A small SHG sheet as the request body (status only here: tests/registry checks each row's
    verdict inside and outside the importer's area, which needs the mission's real districts)."""
    sheet = f"SHG Code,SHG Name,District,Block,Village\nMXI-{uuid.uuid4().hex[:8]},SHG,Srinagar,Harwan,Dara\n"
    return Call("POST", "/imports/registry?file_name=shgs.csv", sheet.encode(), {"Content-Type": "text/csv"})


def photo_upload(place: Place, case: str) -> Call:
    body = {
        "product_id": place.product_id,
        "file_name": "front.jpg",
        "content_type": "image/jpeg",
        "size": 1000,
    }
    return Call("POST", "/uploads", json.dumps(body).encode(), {"Content-Type": "application/json"})


def subscription(method: str) -> Request:
    """A digest subscription for the place's block (a fresh address: a DELETE finds none, 404)."""

    def call(place: Place, case: str) -> Call:
        values = {
            "email": f"mx-{uuid.uuid4().hex[:8]}@example.org",
            "district": place.district,
            "block": place.block,
        }
        if method == "POST":
            return Call(
                "POST",
                "/digest/subscriptions",
                json.dumps(values).encode(),
                {"Content-Type": "application/json"},
            )
        return Call(method, "/digest/subscriptions?" + urllib.parse.urlencode(values))

    return call


def meesho_export(place: Place, case: str) -> Call:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Reason for Credit Entry", "Sub Order No", "Order Date", "SKU", "Quantity", "Supplier Listed Price"]
    )
    writer.writerow(["PENDING", f"MX{uuid.uuid4().hex[:16]}_1", "2026-11-20", place.meesho_sku, "1", "100"])
    writer.writerow(["PENDING", "x", "2026-11-20", place.meesho_sku, "1", "100"])  # invalid in any area
    return Call("POST", "/imports/orders/meesho", out.getvalue().encode(), {"Content-Type": "text/csv"})


def check_meesho(role: Role, case: str, body: Any) -> None:
    """Status 200 either way (the file was read); out-of-area rows are refused one by one."""
    if role is RESOURCE:
        return
    mine = case == "in_scope" or role is ADMIN
    assert body["valid"] == (1 if mine else 0), body
    assert body["out_of_scope"] == (0 if mine else 1), body
    reasons = [error["reason"] for error in body["errors"]]
    assert any("outside your area" in reason for reason in reasons) is not mine, reasons


def settlement_report(place: Place, case: str) -> Call:
    """Amazon's settlement flat file paying the place's order (a fresh settlement id each call)."""
    header = "settlement-id\tdeposit-date\torder-id\tamount-type\tamount-description\tamount\tposted-date"
    reference = str(uuid.uuid4().int)[:11]
    rows = [
        f"{reference}\t2026-11-24 00:00:00 UTC\t\t\t\t\t",
        f"{reference}\t\t{place.order_id}\tItemPrice\tPrincipal\t100.00\t2026-11-15",
    ]
    body = "\n".join([header, *rows]).encode()
    return Call("POST", "/imports/settlements/amazon", body, {"Content-Type": "text/tab-separated-values"})


def check_settlement(role: Role, case: str, body: Any) -> None:
    """Status 200 either way (the report was read); an order outside the caller's area is refused."""
    if role is RESOURCE:
        return
    mine = case == "in_scope" or role is ADMIN
    assert (body["to_apply"], body["refused"]) == ((1, 0) if mine else (0, 1)), body
    if not mine:
        assert "outside your area" in body["errors"][0]["reason"], body


def listing_export(place: Place, case: str) -> Call:
    """The Meesho sheet of the place's block."""
    body = json.dumps({"district": place.district, "block": place.block}).encode()
    return Call("POST", "/listings/meesho/exports", body, {"Content-Type": "application/json"})


def listing_status(place: Place, case: str) -> Call:
    """Meesho's status report: the place's product is live."""
    report = f"SKU,Status,Listing ID\n{place.meesho_sku},live,MSC-{place.shg_id}\n"
    return Call("POST", "/listings/meesho/status", report.encode(), {"Content-Type": "text/csv"})


def check_listing_status(role: Role, case: str, body: Any) -> None:
    """Status 200 either way (the report was read); a SKU outside the caller's area is refused."""
    if role is RESOURCE:
        return
    mine = case == "in_scope" or role is ADMIN
    assert (body["changed"] + body["unchanged"], body["refused"]) == ((1, 0) if mine else (0, 1)), body


def haat_webhook(place: Place, case: str) -> Call:
    """AIRPORT-SXR posts a bill: for its own outlet (in scope) or for HAAT-SGR-01's (out of scope)."""
    outlet = "AIRPORT-SXR"
    bill = {
        "event_id": uuid.uuid4().hex,
        "outlet_id": outlet if case != "out_of_scope" else "HAAT-SGR-01",
        "bill_no": f"MX-{uuid.uuid4().hex[:10]}",
        "status": "placed",
        "occurred_at": "2026-11-20T11:02:00+05:30",
        "items": [{"sku": place.amazon_sku, "qty": 1, "unit_price": "100.00"}],
    }
    body = json.dumps(bill).encode()
    if case == "no_token":
        return Call("POST", "/webhooks/haat", body, {"Content-Type": "application/json"})
    now = time.time() - (600 if case == "expired_token" else 0)
    headers = webhook_client.signed_headers("haat", body, {"outlet_id": outlet}, now=now)
    return Call("POST", "/webhooks/haat", body, headers)


ROUTES: dict[tuple[str, str], Row] = {
    ("GET", "/health"): Row(get("/health"), every_role(200, 200), no_token=200, expired_token=200),
    ("GET", "/whoami"): Row(get("/whoami"), every_role(200, 200)),
    ("POST", "/webhooks/{channel}"): Row(haat_webhook, every_role(202, 403)),
    ("GET", "/orders/{channel}/{order_id}"): Row(get("/orders/amazon/{place.order_id}"), scoped(200)),
    ("GET", "/orders/quarantine"): Row(
        get("/orders/quarantine"), {**every_role(403, 403), ADMIN: (200, 200)}
    ),
    ("GET", "/products/{product_id}/photos"): Row(get("/products/{place.product_id}/photos"), scoped(200)),
    ("POST", "/imports/orders/meesho"): Row(meesho_export, coordinators(200), check=check_meesho),
    ("POST", "/imports/settlements/{report}"): Row(
        settlement_report, coordinators(200), check=check_settlement
    ),
    ("POST", "/imports/settlements/{report}/uploads"): Row(
        post("/imports/settlements/amazon/uploads"), coordinators(201)
    ),
    ("POST", "/listings/{channel}/exports"): Row(listing_export, {**scoped(200), RESOURCE: (403, 403)}),
    ("GET", "/listings/{channel}"): Row(
        get("/listings/meesho?district={place.district}"), {**scoped(200), RESOURCE: (200, 200)}
    ),
    ("POST", "/listings/{channel}/status"): Row(
        listing_status, coordinators(200), check=check_listing_status
    ),
    ("POST", "/listings/{channel}/status/uploads"): Row(
        post("/listings/meesho/status/uploads"), coordinators(201)
    ),
    ("POST", "/imports/orders/meesho/uploads"): Row(
        post("/imports/orders/meesho/uploads"), coordinators(201)
    ),
    ("GET", "/upload"): Row(get("/upload"), every_role(200, 200), no_token=200, expired_token=200),
    ("GET", "/upload/{asset}"): Row(
        get("/upload/upload.js"), every_role(200, 200), no_token=200, expired_token=200
    ),
    ("POST", "/uploads"): Row(photo_upload, scoped(201)),
    # A resource person is shown her own SHGs whatever district she names.
    ("GET", "/shgs"): Row(get("/shgs?district={place.district}"), {**scoped(200), RESOURCE: (200, 200)}),
    ("GET", "/shgs/{shg_id}/products"): Row(get("/shgs/{place.shg_id}/products"), scoped(200)),
    ("GET", "/dashboard"): Row(get("/dashboard"), every_role(200, 200), no_token=200, expired_token=200),
    ("GET", "/dashboard/{asset}"): Row(
        get("/dashboard/dashboard.js"), every_role(200, 200), no_token=200, expired_token=200
    ),
    ("GET", "/dashboard/view"): Row(
        get("/dashboard/view?district={place.district}&block={place.block}"),
        {**scoped(200), RESOURCE: (403, 403)},
    ),
    ("GET", "/digest/subscriptions"): Row(get("/digest/subscriptions"), coordinators(200)),
    ("POST", "/digest/subscriptions"): Row(subscription("POST"), {**scoped(201), RESOURCE: (403, 403)}),
    ("DELETE", "/digest/subscriptions"): Row(subscription("DELETE"), {**scoped(404), RESOURCE: (403, 403)}),
    ("POST", "/imports/registry/uploads"): Row(post("/imports/registry/uploads"), coordinators(201)),
    ("POST", "/imports/registry"): Row(registry_csv, coordinators(202)),
    ("GET", "/imports/registry"): Row(get("/imports/registry"), coordinators(200)),
    # Another area's import is not there for the caller (404), as for any id it may not see.
    ("GET", "/imports/registry/{import_id}"): Row(
        get("/imports/registry/{place.import_id}"), {**scoped(200, 404), RESOURCE: (403, 403)}
    ),
    ("GET", "/imports/registry/{import_id}/report.csv"): Row(
        get("/imports/registry/{place.import_id}/report.csv"), {**scoped(200, 404), RESOURCE: (403, 403)}
    ),
    ("PATCH", "/members/{member_id}"): Row(
        send_json("PATCH", "/members/{place.member_id}", {"language": "ur"}), scoped(200)
    ),
    ("GET", "/members/{member_id}/history"): Row(get("/members/{place.member_id}/history"), scoped(200)),
    ("PATCH", "/products/{product_id}"): Row(
        send_json("PATCH", "/products/{place.product_id}", {"price": "120"}), scoped(200)
    ),
    ("POST", "/products/{product_id}/restock"): Row(
        send_json("POST", "/products/{place.product_id}/restock", {"quantity": 1}), scoped(200)
    ),
    ("GET", "/products/{product_id}/history"): Row(get("/products/{place.product_id}/history"), scoped(200)),
}


def _place(tag: str, unique: str) -> Place:
    return Place(
        district=f"District{tag}-{unique}",
        block=f"Block{tag}-{unique}",
        shg_id=f"MX{tag}-{unique}",
        product_id=f"P-MX{tag}-{unique}",
        meesho_sku=f"MS-MX{tag}-{unique}",
        amazon_sku=f"AMZ-MX{tag}-{unique}",
        order_id=f"408-MX{tag}-{unique}",
        member_id=f"MX{tag}-{unique}-M1",
    )


def _register(places: list[Place]) -> None:
    put(
        [
            {"shg_id": p.shg_id, "name": "SHG", "district": p.district, "block": p.block, "village": "V"}
            for p in places
        ],
        [
            {
                "product_id": p.product_id,
                "shg_id": p.shg_id,
                "sku": f"SKU-{p.shg_id}",
                "craft": "papier_mache",
                "title": "Box for the matrix",
                "price_paise": 10000,
                "stock": 1000,
                "listings": [
                    {"channel": "meesho", "channel_sku": p.meesho_sku},
                    {"channel": "amazon", "channel_sku": p.amazon_sku},
                ],
            }
            for p in places
        ],
        [
            {"member_id": p.member_id, "shg_id": p.shg_id, "name": "Member", "phone": "+919000000042"}
            for p in places
        ],
    )


UNIQUE = uuid.uuid4().hex[:6]
INSIDE_DISTRICT = (f"DistrictA-{UNIQUE}", f"BlockA-{UNIQUE}")


@pytest.fixture(scope="module")
def world(app: Chalice) -> World:
    inside, outside = _place("A", UNIQUE), _place("B", UNIQUE)
    _register([inside, outside])
    assert (inside.district, inside.block) == INSIDE_DISTRICT
    for place in (inside, outside):
        enqueue_raw(json.dumps(amazon_change(place.order_id.removeprefix("408-"), sku=place.amazon_sku)))
    runner.drain(app, runner.binding("on_order_events"))
    inside = replace(inside, import_id=_registry_import(BLOCK, inside))
    outside = replace(outside, import_id=_registry_import(DISTRICT, outside))
    return World(inside=inside, outside=outside)


def _registry_import(role: Role, place: Place) -> str:
    """An import started by a coordinator of the place (left queued: only its record is read)."""
    importer = Principal(
        subject=f"importer-{place.shg_id}",
        role=role,
        district=place.district,
        block=place.block if role is BLOCK else "",
    )
    key = imports.store_file(b"SHG Code,SHG Name\n", "shgs.csv")
    return imports.start(key, importer, file_name="shgs.csv").import_id


def _send(api_url: str, call: Call, token: str | None) -> tuple[int, Any]:
    request = urllib.request.Request(
        api_url + call.path, data=call.body or None, headers=call.headers, method=call.method
    )
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, _body(response.read())
    except urllib.error.HTTPError as error:
        return error.code, _body(error.read())


def _body(raw: bytes) -> Any:
    """JSON, or the text of a page or asset."""
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return raw.decode(errors="replace")


def _token(world: World, role: Role, case: str) -> str | None:
    if case == "no_token":
        return None
    principal = world.principal(role)
    return issue_local_token(
        principal.subject,
        role,
        district=principal.district,
        block=principal.block,
        shg_ids=principal.shg_ids,
        ttl_s=-60 if case == "expired_token" else 600,
    )


def test_every_route_has_a_row(app: Chalice) -> None:
    routes = {(method, path) for path, methods in app.routes.items() for method in methods}
    assert routes - ROUTES.keys() == set(), "routes without a row in the authorization matrix"
    assert ROUTES.keys() - routes == set(), "rows for routes app.py no longer has"


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@pytest.mark.parametrize("route", list(ROUTES), ids=lambda route: f"{route[0]} {route[1]}")
def test_authorization_matrix(
    api_url: str, world: World, route: tuple[str, str], role: Role, case: str
) -> None:
    row = ROUTES[route]
    call = row.request(world.outside if case == "out_of_scope" else world.inside, case)
    status, body = _send(api_url, call, _token(world, role, case))
    assert status == row.expected(role, case), body
    if row.check is not None and status < 300:
        row.check(role, case, body)
