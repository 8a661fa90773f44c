"""A local stand-in for the Flipkart Seller API v3, for tests and `make demo`.

A real HTTP server on 127.0.0.1 (a thread) that speaks the documented shapes: the OAuth2 token
endpoint (client credentials, HTTP Basic, scope Seller_Api), shipment search with `filter`,
`pagination.pageSize` and `hasMore`/`nextPageUrl`, and shipment details with the delivery
address. Tests script its failures (429 with Retry-After, 5xx, token revocation) and read its
request log; nothing in Haat's code knows it is not Flipkart.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pydantic import ValidationError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.connectors.flipkart.models import STATES_OF, SearchShipmentRequest, SearchType


@dataclass
class Fault:
    """Answer the next request whose path starts with `path` with `status` (once)."""

    path: str
    status: int
    retry_after: str | None = None


@dataclass
class LoggedRequest:
    method: str
    path: str
    authorization: str


@dataclass
class StandIn:
    """The stand-in's state: what it knows and what it has been asked."""

    credentials: dict[str, str] = field(default_factory=dict)  # client_id -> client_secret
    shipments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # client_id -> shipments
    addresses: dict[str, dict[str, str]] = field(default_factory=dict)  # shipmentId -> address
    token_ttl_seconds: int = 3600
    faults: list[Fault] = field(default_factory=list)
    log: list[LoggedRequest] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)  # access token -> client_id
    pages: dict[str, tuple[list[dict[str, Any]], int, int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def revoke_tokens(self) -> None:
        """Every issued token becomes invalid (as when one expires early)."""
        with self.lock:
            self.tokens.clear()

    def requests_to(self, path: str) -> list[LoggedRequest]:
        return [r for r in self.log if r.path.startswith(path)]

    def add(self, client_id: str, shipment: dict[str, Any], address: dict[str, str]) -> None:
        """A shipment of the seller whose API application is `client_id`, and where it goes."""
        with self.lock:
            self.shipments.setdefault(client_id, []).append(shipment)
            self.addresses[str(shipment["shipmentId"])] = address

    def register(self, account: str) -> str:
        """Accept the credentials the local stack generated for `account` (Secrets Manager)."""
        secret = aws.client("secretsmanager").get_secret_value(
            SecretId=settings().flipkart_secret_name(account)
        )
        credentials = json.loads(secret["SecretString"])
        self.credentials[credentials["client_id"]] = credentials["client_secret"]
        return str(credentials["client_id"])


def _matches(shipment: dict[str, Any], request: SearchShipmentRequest) -> bool:
    search = request.filter
    states = {s.value for s in (search.states or STATES_OF[search.type])}
    items = shipment["orderItems"]
    if not any(item["status"] in states for item in items):
        return False
    window = search.cancellation_date if search.type is SearchType.CANCELLED else search.modified_date
    if window is None:
        return True
    if search.type is SearchType.CANCELLED:
        stamps = [item.get("cancellationDate") for item in items if item.get("cancellationDate")]
    else:
        stamps = [shipment.get("updatedAt")]
    return any(window.from_ <= datetime.fromisoformat(str(s)) <= window.to for s in stamps if s)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the stand-in's request log is `StandIn.log`."""

    def _reply(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body if body is not None else {}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _fault(self) -> Fault | None:
        state = self.server.state
        with state.lock:
            for fault in state.faults:
                if self.path.startswith(fault.path):
                    state.faults.remove(fault)
                    return fault
        return None

    def _handle(self, method: str) -> None:
        state = self.server.state
        authorization = self.headers.get("Authorization", "")
        state.log.append(LoggedRequest(method, self.path, authorization))
        fault = self._fault()
        if fault:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._reply(fault.status, {"error": HTTPStatus(fault.status).phrase}, headers)
            return
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path == "/oauth-service/oauth/token" and method == "GET":
            self._token(parsed.query, authorization)
            return
        scheme, _, token = authorization.partition(" ")
        client_id = state.tokens.get(token) if scheme.lower() == "bearer" else None
        if client_id is None:
            self._reply(401, {"error": "invalid_token", "error_description": "Invalid access token"})
            return
        if parsed.path == "/sellers/v3/shipments/filter/" and method == "POST":
            self._search(client_id)
        elif parsed.path == "/sellers/v3/shipments/filter" and method == "GET":
            self._next_page(urllib.parse.parse_qs(parsed.query).get("nextToken", [""])[0])
        elif parsed.path.startswith("/sellers/v3/shipments/") and method == "GET":
            self._details(urllib.parse.unquote(parsed.path.rsplit("/", 1)[1]).split(","))
        else:
            self._reply(404, {"error": "not found"})

    def _token(self, query: str, authorization: str) -> None:
        state = self.server.state
        params = urllib.parse.parse_qs(query)
        if params.get("grant_type") != ["client_credentials"] or params.get("scope") != ["Seller_Api"]:
            self._reply(400, {"error": "invalid_request"})
            return
        scheme, _, encoded = authorization.partition(" ")
        client_id, _, secret = base64.b64decode(encoded or "").decode().partition(":")
        if scheme != "Basic" or state.credentials.get(client_id) != secret or not secret:
            self._reply(401, {"error": "invalid_client"})
            return
        token = secrets.token_hex(16)
        with state.lock:
            state.tokens[token] = client_id
        self._reply(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "expires_in": state.token_ttl_seconds,
                "scope": "Seller_Api",
            },
        )

    def _search(self, client_id: str) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        try:
            request = SearchShipmentRequest.model_validate_json(self.rfile.read(length))
        except ValidationError as error:
            self._reply(400, {"errors": [{"message": str(error)}]})
            return
        with state.lock:
            found = [s for s in state.shipments.get(client_id, []) if _matches(s, request)]
        self._page(found, 0, request.pagination.page_size)

    def _next_page(self, token: str) -> None:
        state = self.server.state
        with state.lock:
            page = state.pages.pop(token, None)
        if page is None:
            self._reply(400, {"errors": [{"message": "nextToken expired or unknown"}]})
            return
        self._page(*page)

    def _page(self, found: list[dict[str, Any]], offset: int, size: int) -> None:
        state = self.server.state
        shipments = found[offset : offset + size]
        has_more = offset + size < len(found)
        body: dict[str, Any] = {"hasMore": has_more, "shipments": shipments}
        if has_more:
            token = secrets.token_hex(8)
            with state.lock:
                state.pages[token] = (found, offset + size, size)
            body["nextPageUrl"] = f"/v3/shipments/filter?nextToken={token}"
        self._reply(200, body)

    def _details(self, shipment_ids: list[str]) -> None:
        state = self.server.state
        self._reply(
            200,
            {
                "shipments": [
                    {"shipmentId": i, "deliveryAddress": state.addresses[i]}
                    for i in shipment_ids
                    if i in state.addresses
                ]
            },
        )

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: StandIn) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


def shipment(
    shipment_id: str,
    order_id: str,
    sku: str,
    *,
    status: str = "APPROVED",
    updated_at: datetime,
    quantity: int = 1,
    selling_price: str = "1250.00",
    order_item_id: str | None = None,
) -> dict[str, Any]:
    """A shipment with one order item, as the v3 search returns it."""
    item: dict[str, Any] = {
        "orderItemId": order_item_id or f"{order_id}-1",
        "orderId": order_id,
        "orderDate": (updated_at - timedelta(hours=1)).isoformat(),
        "paymentType": "PREPAID",
        "status": status,
        "quantity": quantity,
        "fsn": "STLGZ7XH6QYHKJ9R",
        "sku": sku,
        "listingId": "LSTSTLGZ7XH6QYHKJ9RZ0WXIU",
        "hsn": "6214",
        "title": "Sozani hand-embroidered pashmina stole, ivory",
        "priceComponents": {
            "sellingPrice": selling_price,
            "totalPrice": selling_price,
            "shippingCharge": "0.00",
            "customerPrice": selling_price,
            "flipkartDiscount": "0.00",
        },
        "serviceProfile": "NON_FBF",
    }
    if status == "CANCELLED":
        item["cancellationDate"] = updated_at.isoformat()
        item["cancellationReason"] = "buyerCancellation"
    return {
        "shipmentId": shipment_id,
        "dispatchByDate": (updated_at + timedelta(days=2)).isoformat(),
        "dispatchAfterDate": updated_at.isoformat(),
        "updatedAt": updated_at.isoformat(),
        "locationId": "LOC6e5d4f1b2c3a4e5f",
        "hold": False,
        "mps": False,
        "packagingPolicy": "DEFAULT",
        "subShipments": [],
        "orderItems": [item],
        "forms": [],
        "shipmentType": "NORMAL",
    }


def address(city: str = "Bengaluru", state: str = "Karnataka", pin_code: str = "560034") -> dict[str, str]:
    """A full delivery address, buyer name and phone included (Haat must keep only city/state/pin)."""
    return {
        "firstName": "Test",
        "lastName": "Buyer",
        "pinCode": pin_code,
        "city": city,
        "state": state,
        "stateCode": "IN-KA",
        "addressLine1": "12 Sample Road",
        "addressLine2": "",
        "landmark": "",
        "contactNumber": "9000000000",
    }


@contextmanager
def running(state: StandIn | None = None) -> Iterator[StandIn]:
    """Serve a stand-in on a free port of 127.0.0.1 until the block ends; `state.url` is its base."""
    state = state or StandIn()
    server = _Server(state)
    thread = threading.Thread(target=server.serve_forever, name="flipkart-stand-in", daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
