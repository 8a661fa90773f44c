"""Helpers for order tests: send like a channel does, read back like an operator does."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from typing import Any

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.orders import identity, repository
from chalicelib.registry import repository as registry
from chalicelib.registry.models import SHG, Member, Product
from haat_tools import webhook_client
from haat_tools.local import runner, stack

ORDERS = runner.binding("on_order_events")


def queue_depth() -> int:
    attributes = aws.client("sqs").get_queue_attributes(
        QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE),
        AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


def enqueue_raw(body: str, attributes: dict[str, str] | None = None) -> str:
    """What Amazon does: put a notification on the order-events queue."""
    response = aws.client("sqs").send_message(
        QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE),
        MessageBody=body,
        MessageAttributes={
            k: {"DataType": "String", "StringValue": v} for k, v in (attributes or {}).items()
        },
    )
    return str(response["MessageId"])


def enqueue_as_webhook(channel: str, payload: dict[str, Any], account: str = "") -> str:
    """What the webhook does once it verified the sender: the payload on the queue with its channel
    and verified sender (the payload's own claim unless `account` names another)."""
    sender = account or identity.claimed_account(channel, payload)
    attributes = identity.message_attributes(channel, sender, datetime.now(UTC).isoformat())
    return enqueue_raw(json.dumps(payload), attributes)


def post_signed(api_url: str, channel: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    body = json.dumps(payload).encode()
    return webhook_client.post(api_url, channel, body, webhook_client.signed_headers(channel, body, payload))


def sms_sent(local_aws: stack.LocalAws) -> list[dict[str, str]]:
    """Every SMS moto's SNS has accepted, from its model dump."""
    with urllib.request.urlopen(f"{local_aws.endpoint}/moto-api/data.json", timeout=60) as response:
        return list(json.loads(response.read())["sns"]["SMS"])


def view(channel: str, order_id: str) -> dict[str, Any]:
    found = repository.order_view(channel, order_id)
    assert found is not None, f"no order {channel}/{order_id}"
    return found


def quarantined(message_id: str) -> dict[str, Any] | None:
    return next((q for q in repository.quarantined(limit=1000) if q["message_id"] == message_id), None)


def haat_bill(
    unique: str,
    status: str = "placed",
    *,
    sku: str = "BDG-WWC-TRAY-01",
    qty: int = 1,
    event: str = "e1",
    at: str = "2026-11-20T11:02:00+05:30",
    items: bool = True,
) -> dict[str, Any]:
    return {
        "event_id": f"{unique}-{event}",
        "outlet_id": "HAAT-SGR-01",
        "bill_no": f"B-{unique}",
        "status": status,
        "occurred_at": at,
        "dispatch_by": "2026-11-22T18:00:00+05:30",
        "delivery": {"city": "Srinagar", "pincode": "190001"},
        "items": [{"sku": sku, "qty": qty, "unit_price": "4200.00"}] if items else [],
    }


def haat_order_id(unique: str) -> str:
    return f"HAAT-SGR-01-B-{unique}"


def amazon_change(
    unique: str,
    status: str = "Unshipped",
    *,
    notification: str = "n1",
    at: str = "2026-11-20T06:15:13.000Z",
    sku: str = "AMZ-SGR-PM-BOX-02",
) -> dict[str, Any]:
    sample = json.loads((stack.PROJECT_DIR / "events/orders/amazon_order_change.json").read_text())
    change = sample["Payload"]["OrderChangeNotification"]
    change["AmazonOrderId"] = f"408-{unique}"
    change["Summary"]["OrderStatus"] = status
    change["Summary"]["OrderItems"][0]["SellerSKU"] = sku
    change["OrderChangeTrigger"]["TimeOfOrderChange"] = at
    sample["NotificationMetadata"]["NotificationId"] = f"{unique}-{notification}"
    return dict(sample)


CHANNELS = ("haat", "ondc", "amazon", "flipkart", "meesho")
PREFIX = {"haat": "", "ondc": "", "amazon": "AMZ-", "flipkart": "FK-", "meesho": "MS-"}


def seed_world(unique: str, products: dict[str, tuple[int, int]]) -> SHG:
    """An SHG in its own district with one maker and products {name: (price in rupees, stock)},
    each listed on every channel as PREFIX + its SKU."""
    shg = SHG(
        shg_id=f"SHG-{unique}",
        name="Test SHG",
        district=f"D-{unique}",
        block="B",
        village="V",
        coordinator_member_id=f"C-{unique}",
    )
    registry.put_shg(shg)
    registry.put_member(
        Member(member_id=f"M-{unique}", shg_id=shg.shg_id, name="Maker", phone="+919000033333")
    )
    registry.put_member(
        Member(member_id=f"C-{unique}", shg_id=shg.shg_id, name="Coord", phone="+919000044444", language="en")
    )
    for name, (rupees, stock) in products.items():
        sku = f"{name}-{unique}"
        product = Product(
            product_id=f"P-{sku}",
            shg_id=shg.shg_id,
            sku=sku,
            craft="papier_mache",
            title=f"Test {name}",
            price_paise=rupees * 100,
            stock=stock,
            maker_member_ids=[f"M-{unique}"],
            listings=[{"channel": channel, "channel_sku": f"{PREFIX[channel]}{sku}"} for channel in CHANNELS],
        )
        registry.put_product(product, shg)
    return shg
