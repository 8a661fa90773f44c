"""Poison messages (issue #12): each is quarantined with its own reason, logged, and acknowledged in
one batch with a good message; none is reported as a batch failure, so none can reach the DLQ."""

from __future__ import annotations

import json
from typing import Any

import pytest
from chalice.test import Client

from tests.orders import payloads
from tests.orders.helpers import amazon_change, quarantined, view

pytestmark = pytest.mark.usefixtures("seeded")


def _bill(unique: str, name: str, items: list[tuple[str, int, str]]) -> str:
    return json.dumps(
        payloads.haat(f"P-{unique}-{name}", f"{unique}-{name}", "placed", "2026-11-20T10:00:00+05:30", items)
    )


def _lines(count: int) -> list[dict[str, Any]]:
    return [{"OrderItemId": str(i), "SellerSKU": "AMZ-BLA-CRW-CUSH-01", "Quantity": 1} for i in range(count)]


def test_every_poison_message_is_quarantined_with_its_reason_and_none_fails_the_batch(
    client: Client, unique: str
) -> None:
    cushion = "BLA-CRW-CUSH-01"
    huge_quantity = amazon_change(f"{unique}q")
    huge_quantity["Payload"]["OrderChangeNotification"]["Summary"]["OrderItems"][0]["Quantity"] = 1e40
    many_lines = amazon_change(f"{unique}l")
    many_lines["Payload"]["OrderChangeNotification"]["Summary"]["OrderItems"] = _lines(2000)
    some_lines = amazon_change(f"{unique}s")
    some_lines["Payload"]["OrderChangeNotification"]["Summary"]["OrderItems"] = _lines(60)
    poison = {
        "negative": (_bill(unique, "neg", [(cushion, 1, "-1.00")]), "haat", "negative amount: '-1.00'"),
        "nan": (_bill(unique, "nan", [(cushion, 1, "NaN")]), "haat", "not a finite amount: 'NaN'"),
        "infinity": (
            _bill(unique, "inf", [(cushion, 1, "Infinity")]),
            "haat",
            "not a finite amount: 'Infinity'",
        ),
        "quantity": (
            json.dumps(huge_quantity),
            "amazon",
            "amazon notification: Unable to parse input string",
        ),
        "3500 lines": (
            _bill(unique, "3500", [(cushion, 1, "1600.00")] * 3500),
            "haat",
            "haat payload: List should have at most 100 items after validation, not 3500 at lines",
        ),
        "2000 lines": (
            json.dumps(many_lines),
            "amazon",
            "amazon payload: List should have at most 100 items after validation, not 2000 at lines",
        ),
        "60 lines": (json.dumps(some_lines), "amazon", "60 lines, above ORDER_MAX_LINES 50"),
        "nested": (
            "[" * 100_000 + "]" * 100_000,
            "amazon",
            "JSON nested deeper than ORDER_MAX_JSON_DEPTH 20",
        ),
        "NaN token": ('{"NotificationType": "ORDER_CHANGE", "Payload": NaN}', "amazon", "JSON holds NaN"),
        "big integer": ('{"Quantity": ' + "9" * 5000 + "}", "amazon", "malformed JSON (ValueError)"),
    }
    good = json.dumps(amazon_change(unique))
    event = client.events.generate_sqs_event(
        message_bodies=[body for body, _, _ in poison.values()] + [good], queue_name="order-events"
    )
    for record, name, (_, channel, _) in zip(event["Records"], poison, poison.values(), strict=False):
        record["messageId"] = f"p-{unique}-{name.replace(' ', '-')}"
        record["messageAttributes"] = {"channel": {"stringValue": channel, "dataType": "String"}}

    assert client.lambda_.invoke("on_order_events", event).payload == {"batchItemFailures": []}

    assert view("amazon", f"408-{unique}")["order"]["status"] == "accepted"
    for name, (_, channel, reason) in poison.items():
        kept = quarantined(f"p-{unique}-{name.replace(' ', '-')}")
        assert kept is not None, name
        assert kept["channel"] == channel
        assert kept["reason"].startswith(reason), (name, kept["reason"])
