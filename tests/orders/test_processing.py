"""Orders through the real path: signed webhooks or the queue, the real handler, moto's DynamoDB and SNS."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from chalice.test import Client

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.registry import repository as registry
from haat_tools.local import runner, stack
from tests.orders.helpers import (
    amazon_change,
    enqueue_raw,
    haat_bill,
    haat_order_id,
    post_signed,
    quarantined,
    seed_world,
    sms_sent,
    view,
)

pytestmark = pytest.mark.usefixtures("seeded")
Drain = Callable[[], runner.DrainResult]


def _stock(product_id: str) -> int:
    product = registry.get_product(product_id)
    assert product is not None
    return product.stock


def test_haat_sample_through_the_signed_webhook(
    api_url: str, drain: Drain, local_aws: stack.LocalAws
) -> None:
    payload = json.loads((stack.PROJECT_DIR / "events/orders/haat_bill_placed.json").read_text())
    status, answer = post_signed(api_url, "haat", payload)
    assert status == 202
    assert answer["message_id"]
    drain()
    order = view("haat", "HAAT-SGR-01-SGR01-2026-000123")
    assert order["order"]["status"] == "placed"
    assert order["order"]["lines"][0]["product_id"] == "P-BDG-WWC-01"
    assert order["order"]["lines"][0]["unit_price_paise"] == 420000
    [notification] = order["notifications"]
    assert notification["state"] == "sent"
    assert notification["language"] == "ur"
    assert notification["text"] in {sms["message"] for sms in sms_sent(local_aws)}


def test_ondc_samples_through_the_signed_webhook(api_url: str, drain: Drain) -> None:
    for name in ("ondc_on_confirm", "ondc_on_status_packed"):
        payload = json.loads((stack.PROJECT_DIR / f"events/orders/{name}.json").read_text())
        assert post_signed(api_url, "ondc", payload)[0] == 202
    drain()
    order = view("ondc", "ONDC-2026-1120-0042")
    assert order["order"]["status"] == "packed"
    assert order["order"]["delivery_pincode"] == "560001"
    assert [entry["outcome"] for entry in order["history"]] == ["created", "updated"]
    [notification] = order["notifications"]
    assert notification["language"] == "hi"
    assert "3,800" in notification["text"]


def test_amazon_sample_arrives_on_the_queue_and_is_priced_from_the_registry(drain: Drain) -> None:
    for name in ("amazon_order_change", "amazon_order_cancelled"):
        enqueue_raw((stack.PROJECT_DIR / f"events/orders/{name}.json").read_text())
    drain()
    order = view("amazon", "408-4536471-6538723")
    assert order["order"]["status"] == "cancelled"
    assert order["order"]["lines"][0]["unit_price_paise"] == 180000
    assert "OPEN" not in json.dumps(order["order"])
    templates = sorted(n["template"] for n in order["notifications"])
    assert templates == ["cancellation", "new_order"]


def test_duplicate_delivery_records_once_decrements_once_and_texts_once(
    drain: Drain, unique: str, local_aws: stack.LocalAws
) -> None:
    before = _stock("P-SGR-PM-02")
    body = json.dumps(amazon_change(unique))
    first, second = enqueue_raw(body), enqueue_raw(body)
    drain()
    enqueue_raw(body)
    drain()
    order = view("amazon", f"408-{unique}")
    assert [entry["message_id"] for entry in order["history"]] in ([first], [second])
    assert _stock("P-SGR-PM-02") == before - 1
    texts = [sms for sms in sms_sent(local_aws) if f"408-{unique}" in sms["message"]]
    assert len(texts) == 1


def test_reordered_events_never_move_an_order_backwards(drain: Drain, unique: str) -> None:
    enqueue_raw(json.dumps(amazon_change(unique, "Shipped", notification="late", at="2026-11-21T10:00:00Z")))
    drain()
    enqueue_raw(
        json.dumps(amazon_change(unique, "Unshipped", notification="early", at="2026-11-20T06:15:13Z"))
    )
    drain()
    order = view("amazon", f"408-{unique}")
    assert order["order"]["status"] == "shipped"
    outcomes = {entry["event_id"].rsplit("-", 1)[1]: entry["outcome"] for entry in order["history"]}
    assert outcomes == {"late": "created", "early": "stale"}


def test_invalid_transition_is_rejected_and_recorded(drain: Drain, unique: str) -> None:
    enqueue_raw(json.dumps(amazon_change(unique, "Unshipped", notification="a", at="2026-11-20T06:00:00Z")))
    enqueue_raw(json.dumps(amazon_change(unique, "Canceled", notification="b", at="2026-11-20T07:00:00Z")))
    drain()
    enqueue_raw(json.dumps(amazon_change(unique, "Shipped", notification="c", at="2026-11-20T08:00:00Z")))
    drain()
    order = view("amazon", f"408-{unique}")
    assert order["order"]["status"] == "cancelled"
    rejected = next(entry for entry in order["history"] if entry["event_id"].endswith("-c"))
    assert rejected["outcome"] == "rejected"
    assert rejected["reason"] == "invalid transition cancelled -> shipped"


def test_event_for_an_unknown_order_is_kept_until_the_order_arrives(
    api_url: str, drain: Drain, unique: str
) -> None:
    before = _stock("P-BDG-WWC-01")
    cancel = haat_bill(unique, "cancelled", event="cancel", at="2026-11-20T12:00:00+05:30", items=False)
    assert post_signed(api_url, "haat", cancel)[0] == 202
    drain()
    assert view("haat", haat_order_id(unique))["parked_events"] == 1
    assert post_signed(api_url, "haat", haat_bill(unique, "placed", event="sale"))[0] == 202
    drain()
    order = view("haat", haat_order_id(unique))
    assert order["order"]["status"] == "cancelled"
    assert order["parked_events"] == 0
    assert order["notifications"] == []
    assert _stock("P-BDG-WWC-01") == before


def test_malformed_json_and_unknown_sku_are_quarantined_with_a_reason(
    api_url: str, drain: Drain, unique: str, client: Client
) -> None:
    status, answer = post_signed(api_url, "haat", haat_bill(unique, sku="NO-SUCH-SKU"))
    assert status == 202
    malformed = enqueue_raw('{"NotificationType": "ORDER_CHANGE", ', {"channel": "amazon"})
    drain()
    unknown = quarantined(answer["message_id"])
    assert unknown is not None
    assert unknown["reason"] == "unknown SKU 'NO-SUCH-SKU' on channel haat"
    broken = quarantined(malformed)
    assert broken is not None
    assert broken["reason"].startswith("malformed JSON")
    assert broken["channel"] == "amazon"


def test_one_poison_message_does_not_fail_its_batch(client: Client, unique: str) -> None:
    bodies = [json.dumps(amazon_change(f"{unique}{i}")) for i in range(9)] + ["{not json"]
    event = client.events.generate_sqs_event(message_bodies=bodies, queue_name="order-events")
    for index, record in enumerate(event["Records"]):
        record["messageId"] = f"m-{unique}-{index}"
    assert client.lambda_.invoke("on_order_events", event).payload == {"batchItemFailures": []}
    for i in range(9):
        assert view("amazon", f"408-{unique}{i}")["order"]["status"] == "accepted"
    poison = quarantined(f"m-{unique}-9")
    assert poison is not None
    assert poison["body"] == "{not json"


def test_oversell_sells_what_is_left_and_alerts_the_coordinator(drain: Drain, unique: str) -> None:
    seed_world(unique, {"rug": (1000, 1)})
    change = amazon_change(unique, sku=f"AMZ-rug-{unique}")
    change["Payload"]["OrderChangeNotification"]["Summary"]["OrderItems"][0]["Quantity"] = 3
    enqueue_raw(json.dumps(change))
    drain()
    order = view("amazon", f"408-{unique}")
    assert order["order"]["oversold_skus"] == [f"rug-{unique}"]
    assert _stock(f"P-rug-{unique}") == 0
    alert = next(n for n in order["notifications"] if n["template"] == "oversell_alert")
    assert alert["member_id"] == f"C-{unique}"
    assert alert["text"] == (
        f"Haat: Stock short for Test rug on Amazon order 408-{unique}: ordered 3, in stock 1. Please check."
    )


def test_order_read_api_needs_a_token_and_shows_history_and_notifications(api_url: str, drain: Drain) -> None:
    import urllib.error
    import urllib.request

    from chalicelib.auth import Role, issue_local_token

    enqueue_raw((stack.PROJECT_DIR / "events/orders/amazon_order_change.json").read_text())
    drain()
    url = f"{api_url}/orders/amazon/408-4536471-6538723"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url, timeout=10)
    assert refused.value.code == 401
    request = urllib.request.Request(
        url, headers={"Authorization": f"Bearer {issue_local_token('t', Role.MISSION_ADMIN)}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        body = json.loads(response.read())
    assert body["order"]["channel_order_id"] == "408-4536471-6538723"
    assert body["history"]
    assert body["notifications"]
    quarantine = urllib.request.Request(
        f"{api_url}/orders/quarantine",
        headers={"Authorization": f"Bearer {issue_local_token('t', Role.MISSION_ADMIN)}"},
    )
    with urllib.request.urlopen(quarantine, timeout=10) as response:
        assert "quarantined" in json.loads(response.read())


def test_open_orders_are_in_the_dispatch_index(drain: Drain, unique: str) -> None:
    enqueue_raw(json.dumps(amazon_change(unique)))
    drain()
    item = aws.table(settings().ORDERS_TABLE).get_item(
        Key={"pk": f"ORDER#amazon#408-{unique}", "sk": "ORDER"}
    )["Item"]
    assert item["gsi1pk"] == "OPEN"
    assert item["gsi1sk"] == f"2026-11-22T18:29:59Z#amazon#408-{unique}"
