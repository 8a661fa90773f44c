"""The demo's connector step: one Flipkart order pulled by `poll_channels` from the Seller API
stand-in, and the sample Meesho export imported through POST /imports/orders/meesho."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib import aws
from chalicelib.auth import Role, issue_local_token
from chalicelib.config import settings
from haat_tools.local import flipkart_standin, runner
from haat_tools.local.session import Session
from haat_tools.local.stack import PROJECT_DIR

FLIPKART_SAMPLES = PROJECT_DIR / "events" / "flipkart"
MEESHO_SAMPLE = PROJECT_DIR / "events" / "orders" / "meesho_orders.csv"


@dataclass(frozen=True)
class ExpectedOrder:
    channel: str
    channel_order_id: str


@contextmanager
def _environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        settings.cache_clear()


@contextmanager
def sample_flipkart_stand_in(fired_at: datetime) -> Iterator[list[ExpectedOrder]]:
    """The Seller API stand-in serving the sample search page to the first local seller account, with
    FLIPKART_API_URL pointing at it until the block ends; yields the orders a poll should pull."""
    page = json.loads((FLIPKART_SAMPLES / "shipments_filter_response.json").read_text())
    details = json.loads((FLIPKART_SAMPLES / "shipment_details_response.json").read_text())
    addresses = {d["shipmentId"]: d["deliveryAddress"] for d in details["shipments"]}
    expected = []
    with flipkart_standin.running() as stand_in:
        client_ids = [stand_in.register(account) for account in settings().flipkart_accounts]
        for shipment in page["shipments"]:
            # Changed a moment ago, so that it falls in this run's window whatever the checkpoint.
            shipment["updatedAt"] = (fired_at - timedelta(seconds=1)).isoformat()
            stand_in.add(client_ids[0], shipment, addresses[shipment["shipmentId"]])
            expected += [ExpectedOrder("flipkart", item["orderId"]) for item in shipment["orderItems"]]
        with _environment(FLIPKART_API_URL=stand_in.url):
            yield expected


def poll_flipkart_stand_in(session: Session) -> tuple[list[ExpectedOrder], dict[str, Any]]:
    """Serve the sample search page for the first local seller account and fire poll_channels."""
    fired_at = datetime.now(UTC)
    with sample_flipkart_stand_in(fired_at) as expected:
        outcome = runner.fire(session.app, "poll_channels", fired_at)
    return expected, outcome


def import_meesho_sample(session: Session) -> tuple[list[ExpectedOrder], dict[str, Any]]:
    """POST the sample export to the local API as a district coordinator."""
    token = issue_local_token("demo-coordinator", Role.DISTRICT_COORDINATOR, district="Srinagar")
    request = urllib.request.Request(
        f"{session.api_url}/imports/orders/meesho",
        data=MEESHO_SAMPLE.read_bytes(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/csv"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        result: dict[str, Any] = json.loads(response.read())
    sub_orders = [line.split(",")[1] for line in MEESHO_SAMPLE.read_text().splitlines()[1:] if line]
    return [ExpectedOrder("meesho", sub_order) for sub_order in sub_orders], result


def arrival(order: ExpectedOrder) -> tuple[str, str]:
    """(outcome, detail) of an expected order, read from the orders table's record of it."""
    item = (
        aws.table(settings().ORDERS_TABLE)
        .get_item(Key={"pk": f"ORDER#{order.channel}#{order.channel_order_id}", "sk": "ORDER"})
        .get("Item")
    )
    if item is None:
        return "enqueued", f"{order.channel} {order.channel_order_id} (no order record yet)"
    return "recorded", f"{order.channel} {order.channel_order_id} status={item.get('status')}"
