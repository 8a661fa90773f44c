"""Faults benchmark: a mixed stream through the real handlers with faults in a few percent of AWS calls.

Order events (default 2,000: Haat bills and Amazon notifications for 20 SHGs' products, ~10% duplicate
deliveries, 1% malformed) and photos (default 200, one in five unusable) go through the real handlers
on a local moto behind the fault proxy (haat_tools/local/fault_proxy.py), which injects a fault into
FAULT_RATE of the handlers' DynamoDB, S3, SQS and SNS attempts: throttling, 5xx, refused connections,
dropped connections (answer lost, or request lost) and latency; one fault in ten is a burst of 6 or 12
attempts, which outlasts botocore's retries. What a deployment does next is done: SQS redelivers failed
batch items (the DLQ after 5 receives), the scheduled deliverer runs every minute of a simulated clock;
then, the faults over, mission IT follows the runbook: DLQs are redriven and each unconfirmed SMS is
settled from SNS's delivery log (here the proxy's record of every Publish SNS answered).

Rounds of 500 events and their share of photos, each on a fresh moto server (moto's transactions copy
whole tables, so one long run would measure moto). Totals are checked against the stream itself:

- lost: orders or photos not recorded, SMS that never reached SNS, counter or stock shortfalls;
- double_sent: SMS SNS took more than once; double_counted: counter or stock excess;
- stuck: outbox entries not settled, messages left on a queue or in a DLQ.

Last line: one JSON object; lost, double_sent, double_counted and stuck must be 0.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chalicelib import aws, queues
from chalicelib.calendar import business_date
from chalicelib.catalogue import repository as catalogue
from chalicelib.config import settings
from chalicelib.notify import outbox, sender
from chalicelib.orders import identity
from chalicelib.orders import repository as orders
from chalicelib.registry import repository as registry
from chalicelib.registry.models import (
    SHG,
    Channel,
    ChannelListing,
    CraftCategory,
    Member,
    MemberRole,
    Product,
)
from haat_tools.local import fault_proxy, runner, stack

FAULT_RATE = 0.03
ROUND_EVENTS = 500
SHGS = 20
DAY = "2026-11-20"
OUTLET = "HAAT-SGR-01"  # the outlet every haat bill of the run comes from (as verified by the webhook)
PRICE_PAISE = 180_000
SETTLED = frozenset({"sent", "opted_out", "undeliverable"})


@dataclass
class Totals:
    events: int = 0
    photos: int = 0
    faults_injected: int = 0
    lost: int = 0
    double_sent: int = 0
    double_counted: int = 0
    stuck: int = 0
    sms: int = 0
    unconfirmed: int = 0
    redriven: int = 0
    quarantined: int = 0
    seconds: float = 0.0
    faults_by_kind: Counter[str] = field(default_factory=Counter)


@dataclass
class Round:
    """One round's stream and what it should leave behind."""

    messages: list[tuple[str, str]] = field(default_factory=list)  # (channel, body)
    orders: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)  # -> (shg index, qty)
    photos: list[tuple[int, str, bytes]] = field(default_factory=list)  # (shg index, file name, bytes)


def _ids(index: int) -> tuple[str, str, str, str]:
    """SHG, artisan, resource person and product ids of SHG `index`."""
    shg = f"BF-{index:02d}"
    return shg, f"{shg}-A", f"{shg}-R", f"P-{shg}"


def seed_registry() -> None:
    for index in range(SHGS):
        shg_id, artisan, resource_person, product_id = _ids(index)
        shg = SHG(shg_id=shg_id, name=f"SHG {index}", district="Srinagar", block=f"B{index}", village="V")
        registry.put_shg(shg)
        registry.put_member(
            Member(member_id=artisan, shg_id=shg_id, name="A", phone=f"+9198{index:08d}", language="hi")
        )
        registry.put_member(
            Member(
                member_id=resource_person,
                shg_id=shg_id,
                name="R",
                phone=f"+9197{index:08d}",
                language="en",
                role=MemberRole.RESOURCE_PERSON,
            )
        )
        registry.put_product(
            Product(
                product_id=product_id,
                shg_id=shg_id,
                sku=f"SKU-{shg_id}",
                craft=CraftCategory.PAPIER_MACHE,
                title="Papier-mache box",
                price_paise=PRICE_PAISE,
                stock=1_000_000,
                maker_member_ids=[artisan],
                listings=[
                    ChannelListing(channel=Channel.HAAT, channel_sku=f"SKU-{shg_id}"),
                    ChannelListing(channel=Channel.AMAZON, channel_sku=f"AMZ-{shg_id}"),
                ],
            ),
            shg,
        )


def _haat(order_id: str, sku: str, quantity: int) -> dict[str, Any]:
    return {
        "event_id": f"{order_id}-placed",
        "outlet_id": OUTLET,
        "bill_no": order_id,
        "status": "placed",
        "occurred_at": f"{DAY}T11:02:00+05:30",
        "items": [{"sku": sku, "qty": quantity, "unit_price": f"{PRICE_PAISE / 100:.2f}"}],
    }


def _amazon(order_id: str, sku: str) -> dict[str, Any]:
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": f"{DAY}T06:15:13Z",
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": "A3TH9S8BH6GOGM",
                "AmazonOrderId": order_id,
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {"TimeOfOrderChange": f"{DAY}T06:15:13Z"},
                "Summary": {
                    "MarketplaceId": "A21TJRUUN4KGV",
                    "OrderStatus": "Unshipped",
                    "LatestShipDate": "2026-11-22T18:29:59Z",
                    "OrderItems": [{"OrderItemId": "1", "SellerSKU": sku, "Quantity": 1}],
                },
            }
        },
        "NotificationMetadata": {"NotificationId": str(uuid.uuid4())},
    }


def _photo(seed: int) -> bytes:
    """A small product-like photo on a white backdrop (accepted, with a below-zoom-size warning)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (1000, 800), (255, 255, 255))
    product = Image.effect_noise((560, 480), 60).convert("RGB")
    draw = ImageDraw.Draw(product)
    for _ in range(40):
        x, y = rng.randrange(560), rng.randrange(480)
        colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
        draw.line((x, y, x + rng.randrange(-140, 140), y + rng.randrange(-120, 120)), fill=colour, width=3)
    image.paste(product, (220, 160))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def stream(events: int, photos: int, rng: random.Random) -> Round:
    planned = Round()
    malformed = events // 100
    while len(planned.messages) < events - malformed - events // 10:
        shg = rng.randrange(SHGS)
        shg_id = _ids(shg)[0]
        order_id = f"BF{uuid.UUID(int=rng.getrandbits(128)).hex[:12]}"
        if rng.random() < 0.3:
            planned.messages.append(("amazon", json.dumps(_amazon(order_id, f"AMZ-{shg_id}"))))
            planned.orders[("amazon", order_id)] = (shg, 1)
        else:
            quantity = rng.randint(1, 3)
            planned.messages.append(("haat", json.dumps(_haat(order_id, f"SKU-{shg_id}", quantity))))
            planned.orders[("haat", f"{OUTLET}-{order_id}")] = (shg, quantity)
    while len(planned.messages) < events - malformed:  # duplicate deliveries
        planned.messages.append(rng.choice(planned.messages))
    planned.messages += [("haat", '{"event_id": "broken", ')] * malformed
    rng.shuffle(planned.messages)
    for index in range(photos):
        shg = rng.randrange(SHGS)
        good = rng.random() >= 0.2
        body = _photo(rng.getrandbits(32)) if good else b"not an image"
        planned.photos.append((shg, f"{'photo' if good else 'blank'}-{index}.jpg", body))
    return planned


def _as_the_webhook(channel: str) -> dict[str, Any]:
    """Message attributes as the webhook sets them for the outlet it verified (none for Amazon,
    whose notifications reach the queue straight from SP-API)."""
    if channel == "amazon":
        return {}
    received_at = datetime.now(UTC).isoformat()
    attributes = identity.message_attributes(channel, OUTLET, received_at)
    return {name: {"DataType": "String", "StringValue": value} for name, value in attributes.items()}


def _send(planned: Round) -> None:
    sqs = aws.client("sqs")
    url = aws.queue_url(settings().ORDER_EVENTS_QUEUE)
    for start in range(0, len(planned.messages), 10):
        sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {
                    "Id": str(position),
                    "MessageBody": body,
                    "MessageAttributes": _as_the_webhook(channel),
                }
                for position, (channel, body) in enumerate(planned.messages[start : start + 10])
            ],
        )
    s3 = aws.client("s3")
    for shg, name, body in planned.photos:
        shg_id, _, _, product_id = _ids(shg)
        s3.put_object(
            Bucket=settings().UPLOADS_BUCKET, Key=f"uploads/{shg_id}/{product_id}/{name}", Body=body
        )


def _deliver(app: Any, clock: float) -> int:
    """One scheduled deliverer run (Lambda retries a failed one twice); how many entries it looked at."""
    for _ in range(3):
        try:
            return int(
                runner.fire(app, "deliver_notifications", datetime.fromtimestamp(clock, UTC))["looked_at"]
            )
        except Exception:  # noqa: BLE001, S112 - what Lambda does with a failed async invocation
            continue
    return 1


def process(app: Any, clock: float) -> float:
    """Queues drained (with SQS redelivery) and the deliverer run each simulated minute, until quiet."""
    for _ in range(500):
        drained = runner.drain_all(app)
        clock += 60
        looked_at = _deliver(app, clock)
        if not any(result.invocations for result in drained.values()) and not looked_at:
            break
    return clock


def settle(app: Any, proxy: fault_proxy.FaultProxy, clock: float, totals: Totals) -> float:
    """The faults over: redrive the DLQs, let leases run out, settle unconfirmed SMS as an operator would."""
    for queue in (settings().ORDER_EVENTS_QUEUE, settings().PHOTO_UPLOADS_QUEUE):
        totals.redriven += queues.redrive(queue)
    clock = process(app, clock + 3600)
    for _ in range(3):  # leases run out; failed entries are due again
        clock += 3600
        _deliver(app, clock)
    for entry in outbox.unconfirmed(limit=10_000):
        totals.unconfirmed += 1
        phone = _phone_of(str(entry["member_id"]))
        taken = proxy.sms[(phone, str(entry.get("text", "")))] > 0
        outbox.resolve_unconfirmed(str(entry["notification_id"]), resend=not taken, now=clock)
    return process(app, clock + 3600)


def _phone_of(member_id: str) -> str:
    index = int(member_id.split("-")[1])
    return f"+9198{index:08d}" if member_id.endswith("-A") else f"+9197{index:08d}"


def check(planned: Round, proxy: fault_proxy.FaultProxy, totals: Totals, started: datetime) -> None:
    """Everything the stream should have left behind, against what it did."""
    notifications = _check_orders(planned, totals) + _check_photos(planned, totals, started)
    sent: Counter[tuple[str, str]] = Counter()  # (phone, text) -> notifications sent with it
    for notification_id, phone in notifications:
        entry = outbox.read(notification_id) or {}
        if entry.get("state") not in SETTLED:
            totals.stuck += 1
            print(f"stuck {notification_id}: {entry.get('state')}")
        elif entry.get("state") == "sent":
            sent[(phone, str(entry.get("text", "")))] += 1
    for key, count in sent.items():  # two notifications may read the same: compare counts, not texts
        totals.lost += max(count - proxy.sms[key], 0)
    for key, count in proxy.sms.items():
        if count > sent[key]:
            totals.double_sent += count - max(sent[key], 1)
            print(f"SNS took {count} times ({sent[key]} sent): {key[0][-4:]} {key[1]}")
    totals.sms += sum(proxy.sms.values())
    totals.quarantined += len(orders.quarantined(limit=10_000))
    sqs = aws.client("sqs")
    for queue in (settings().ORDER_EVENTS_QUEUE, settings().PHOTO_UPLOADS_QUEUE):
        for name in (queue, queues.dead_letter_queue(queue)):
            attributes = sqs.get_queue_attributes(
                QueueUrl=aws.queue_url(name),
                AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
            )["Attributes"]
            totals.stuck += sum(int(value) for value in attributes.values())


def _compare(what: str, expected: int, actual: int, totals: Totals) -> None:
    totals.lost += max(expected - actual, 0)
    totals.double_counted += max(actual - expected, 0)
    if actual != expected:
        print(f"{what}: expected {expected}, found {actual}")


def _check_orders(planned: Round, totals: Totals) -> list[tuple[str, str]]:
    """Each order recorded, counted and its stock taken once; its new-order SMS (id, phone)."""
    expected: dict[str, Counter[str]] = {_ids(index)[0]: Counter() for index in range(SHGS)}
    notifications = []
    for (channel, order_id), (shg, quantity) in planned.orders.items():
        shg_id, artisan, _, _ = _ids(shg)
        expected[shg_id].update({"orders": 1, "units": quantity, "gmv_paise": quantity * PRICE_PAISE})
        notifications.append((f"new_order:{channel}:{order_id}:{artisan}", _phone_of(artisan)))
        if orders.order_view(channel, order_id) is None:
            totals.lost += 1
            print(f"lost order {channel}/{order_id}")
    for index in range(SHGS):
        shg_id, _, _, product_id = _ids(index)
        product = registry.get_product(product_id)
        sold = 1_000_000 - (product.stock if product else 0)
        _compare(f"{product_id} stock taken", expected[shg_id]["units"], sold, totals)
        counted = _counters(DAY, shg_id)
        for name, value in expected[shg_id].items():
            _compare(f"{shg_id} {name}", value, int(counted.get(name, 0)), totals)
    return notifications


def _check_photos(planned: Round, totals: Totals, started: datetime) -> list[tuple[str, str]]:
    """Each photo recorded and counted once, new listings counted once; rejection SMS (id, phone).
    Photos count on the IST day they were processed: the round may have crossed midnight."""
    days = {business_date(started).isoformat(), business_date(datetime.now(UTC)).isoformat()}
    notifications = []
    for index in range(SHGS):
        shg_id, _, resource_person, product_id = _ids(index)
        planned_names = {name for shg, name, _ in planned.photos if shg == index}
        records = catalogue.photos_of(product_id)
        recorded = Counter(record.file_name for record in records)
        for name in sorted(planned_names):
            _compare(f"{product_id} records of {name}", 1, recorded[name], totals)
        notifications += [
            (f"photo_rejected:{r.file_id}:{r.version_id}:{resource_person}", _phone_of(resource_person))
            for r in records
            if r.verdict.value == "rejected"
        ]
        counted: Counter[str] = Counter()
        for day in days:
            counted.update({k: int(v) for k, v in _counters(day, shg_id).items() if not isinstance(v, str)})
        blank = sum(1 for name in planned_names if name.startswith("blank"))
        for name, value in (
            ("photos_checked", len(planned_names)),
            ("photos_rejected", blank),
            ("new_listings", 2 if len(planned_names) > blank else 0),  # ready on haat and amazon
        ):
            _compare(f"{shg_id} {name}", value, int(counted.get(name, 0)), totals)
    return notifications


def _counters(day: str, shg_id: str) -> dict[str, Any]:
    item = aws.table(settings().REPORTS_TABLE).get_item(Key={"pk": f"DAY#{day}", "sk": f"shg#{shg_id}"})
    found: dict[str, Any] = item.get("Item") or {}
    return found


def run_round(planned: Round, seed: int, totals: Totals) -> None:
    with (
        stack.running() as own_aws,
        fault_proxy.running(own_aws.endpoint) as proxy,
        fault_proxy.fast_retries(),
    ):
        stack.activate({**own_aws.environment, "AWS_ENDPOINT_URL": proxy.url})
        app = runner.load_app()
        with proxy.plan.suspended():
            seed_registry()
            _send(planned)
        started = datetime.now(UTC)
        clock = time.time()
        proxy.plan.random = fault_proxy.RandomFaults(rate=FAULT_RATE, seed=seed)
        clock = process(app, clock)
        totals.faults_injected += len(proxy.plan.injected)
        totals.faults_by_kind.update(f"{i.kind.value}" for i in proxy.plan.injected)
        proxy.plan.clear()
        sender.end_pause()
        with proxy.plan.suspended():
            settle(app, proxy, clock, totals)
            check(planned, proxy, totals, started)
        stack.activate(own_aws.environment)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2_000)
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="300 events, 30 photos")
    arguments = parser.parse_args()
    events, photos = (300, 30) if arguments.quick else (arguments.events, arguments.photos)
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ["LOG_LEVEL"] = "ERROR"
    rng = random.Random(2026)
    totals = Totals()
    started = time.perf_counter()
    rounds = max(1, -(-events // ROUND_EVENTS))
    for number in range(rounds):
        round_events = events // rounds + (1 if number < events % rounds else 0)
        round_photos = photos // rounds + (1 if number < photos % rounds else 0)
        planned = stream(round_events, round_photos, rng)
        totals.events += len(planned.messages)
        totals.photos += len(planned.photos)
        run_round(planned, seed=number + 1, totals=totals)
        totals.seconds = round(time.perf_counter() - started, 1)
        print(f"round {number + 1}/{rounds}: {json.dumps(vars(totals), default=dict)}", flush=True)
    summary = {
        key: getattr(totals, key)
        for key in ("events", "photos", "faults_injected", "lost", "double_sent", "double_counted", "stuck")
    }
    print(
        f"faults by kind {dict(totals.faults_by_kind)}; SMS {totals.sms}, unconfirmed then settled "
        f"{totals.unconfirmed}, DLQ messages redriven {totals.redriven}, quarantined {totals.quarantined}, "
        f"{totals.seconds} s"
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
