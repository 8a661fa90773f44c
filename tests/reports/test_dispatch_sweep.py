"""The dispatch sweep against the local AWS: each stage once per order, only for open orders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from boto3.dynamodb.conditions import Attr
from chalice import Chalice

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.notify import outbox
from chalicelib.orders.models import OrderStatus
from chalicelib.registry.models import Channel
from haat_tools.local import runner
from tests.reports.helpers import OrderStory, line, put_order, seed_shg, utc


def _outbox_for(order_id: str) -> list[dict[str, Any]]:
    """Test-only scan: every notification about one order, whatever its stage."""
    table = aws.table(settings().OUTBOX_TABLE)
    request: dict[str, Any] = {"FilterExpression": Attr("pk").contains(f":{order_id}:")}
    items: list[dict[str, Any]] = []
    while True:
        page = table.scan(**request)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: str(i["pk"]))
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def test_late_order_gets_one_reminder_then_one_escalation(app: Chalice, unique: str) -> None:
    shg, _ = seed_shg(f"S-{unique}", f"D-{unique}", "Harwan", "2026-01-01", {f"S-{unique}-M01": 1.0})
    order_id = f"late-{unique}"
    deadline = utc("2030-01-10T12:00:00Z")
    OrderStory(
        Channel.AMAZON,
        order_id,
        [line(shg, [f"S-{unique}-M01"], 1, 5000)],
        deadline - timedelta(days=1),
        deadline,
        store=True,
    )
    maker, coordinator = f"S-{unique}-M01", f"S-{unique}-M09"

    runner.fire(app, "dispatch_sweep", deadline - timedelta(hours=8))  # outside the 6 h window
    assert _outbox_for(order_id) == []

    for minutes in (-6 * 60 + 5, -3 * 60, -15):  # repeated sweeps inside the window
        runner.fire(app, "dispatch_sweep", deadline + timedelta(minutes=minutes))
    assert [i["notification_id"] for i in _outbox_for(order_id)] == [
        f"dispatch_reminder:amazon:{order_id}:{maker}"
    ]

    for minutes in (15, 30, 45, 24 * 60):  # past the deadline, sweeps keep coming (and one re-run)
        runner.fire(app, "dispatch_sweep", deadline + timedelta(minutes=minutes))
    runner.fire(app, "dispatch_sweep", deadline + timedelta(minutes=45))
    items = _outbox_for(order_id)
    assert [i["notification_id"] for i in items] == [
        f"dispatch_escalation:amazon:{order_id}:{maker}",
        f"dispatch_escalation:amazon:{order_id}:{coordinator}",
        f"dispatch_reminder:amazon:{order_id}:{maker}",
    ]
    reminder = outbox.get(f"dispatch_reminder:amazon:{order_id}:{maker}")
    assert reminder is not None
    assert reminder["template"] == "dispatch_reminder"
    sku = f"SKU-S-{unique}"  # the line names no product the registry knows: its SKU stands in
    assert reminder["variables"] == {
        "channel": "Amazon",
        "order_id": order_id,
        "product": {"en": sku, "hi": sku, "ur": sku},
        "quantity": 1,
        "dispatch_by": "10/01 17:30",  # IST
    }
    escalation = outbox.get(f"dispatch_escalation:amazon:{order_id}:{coordinator}")
    assert escalation is not None
    assert escalation["variables"]["shg"] == f"SHG S-{unique}"


def test_shipped_and_cancelled_orders_are_left_alone(app: Chalice, unique: str) -> None:
    shg, _ = seed_shg(f"S-{unique}", f"D-{unique}", "Sopore", "2026-01-01", {f"S-{unique}-M01": 1.0})
    deadline = utc("2030-02-10T12:00:00Z")
    placed = deadline - timedelta(days=1)
    makers = [f"S-{unique}-M01"]
    shipped = OrderStory(
        Channel.FLIPKART, f"shipped-{unique}", [line(shg, makers, 1, 900)], placed, deadline, store=True
    )
    shipped.move(OrderStatus.SHIPPED, placed + timedelta(hours=2))
    cancelled = OrderStory(
        Channel.MEESHO, f"cancelled-{unique}", [line(shg, makers, 1, 900)], placed, deadline, store=True
    )
    cancelled.move(OrderStatus.CANCELLED, placed + timedelta(hours=3))
    # Shipped a moment ago but still listed by the (eventually consistent) index: skipped too.
    lagging = OrderStory(
        Channel.ONDC, f"lagging-{unique}", [line(shg, makers, 1, 900)], placed, deadline, store=True
    )
    put_order(lagging.record)
    item = aws.table(settings().ORDERS_TABLE).get_item(
        Key={"pk": f"ORDER#ondc#lagging-{unique}", "sk": "ORDER"}
    )["Item"]
    aws.table(settings().ORDERS_TABLE).put_item(Item={**item, "status": "shipped"})

    for at in (deadline - timedelta(hours=2), deadline + timedelta(hours=2)):
        runner.fire(app, "dispatch_sweep", at)
    for order_id in (f"shipped-{unique}", f"cancelled-{unique}", f"lagging-{unique}"):
        assert _outbox_for(order_id) == []


def test_order_already_late_when_first_seen_is_escalated_without_a_reminder(
    app: Chalice, unique: str
) -> None:
    shg, _ = seed_shg(f"S-{unique}", f"D-{unique}", "Kokernag", "2026-01-01", {f"S-{unique}-M01": 1.0})
    deadline = utc("2030-03-10T12:00:00Z")
    order_id = f"overdue-{unique}"
    OrderStory(
        Channel.HAAT, order_id, [line(shg, [], 1, 700)], deadline - timedelta(days=2), deadline, store=True
    )
    outcome = runner.fire(app, "dispatch_sweep", deadline + timedelta(hours=1))
    assert outcome["escalations"] >= 2
    assert [i["notification_id"] for i in _outbox_for(order_id)] == [
        f"dispatch_escalation:haat:{order_id}:S-{unique}-M01",  # no maker named: the SHG's artisans
        f"dispatch_escalation:haat:{order_id}:S-{unique}-M09",
    ]
