"""Order ingestion benchmark: mixed events through the real `on_order_events` handler on the local AWS.

10,000 events (quick mode: 600): every channel's shape, 10% duplicate deliveries, 5% of orders
arriving out of order (a later status before the order itself), 1% malformed bodies. Counts every
AWS request the handler makes (botocore `before-call` events), checks that no order is lost and no
SMS is sent twice, and compares throughput with a baseline measured in the same run: one
conditional PutItem per event, the least any exactly-once recording can cost.

Events run in rounds of 500, each on a fresh moto server, so every round starts from the same tables
(the local stack backs up only the items a transaction names, as DynamoDB's cost per transaction
does not grow with the table; moto alone deep-copied whole tables, see haat_tools/local/moto_server.py).

Then the latency a member feels: new Haat outlet orders sent as signed webhooks to the local API at a
steady rate, a poller long-polling the order-events queue into the handler (as Lambda's SQS poller
does: a failed poll is counted and retried, and the batch in hand finishes before the stack stops),
and the time from each webhook's 202 to its SMS being accepted by the local SNS, in rounds of 500 on
a fresh stack. After the last webhook a round waits as long as SMS keep arriving (60 s without one
ends it; an order without an SMS fails the run).

The handler's own time per event is its elapsed time less the time spent waiting on AWS calls (every
botocore call is timed), in both phases: what the code costs, with moto's cost taken out. The
baseline, one conditional PutItem, is timed on the same stacks.

Last line: one JSON object with events, events_per_s, ddb_calls_per_event, lost, double_notified, the
handler's own ms per event and the webhook-to-SMS latency percentiles (`--events 0`: latency only).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.orders import identity
from haat_tools.local import demo, runner, stack

CALLS: Counter[str] = Counter()
AWS_SECONDS = [0.0]  # time spent inside AWS calls while the throughput rounds run
SKUS = {  # (channel sku, sku) per channel for the seeded products
    "amazon": ["AMZ-SGR-PM-BOX-02", "AMZ-BDG-WWC-TRAY-01", "AMZ-BLA-CRW-CUSH-01", "AMZ-JMU-WIL-BSK-01"],
    "haat": ["SGR-PM-BOX-02", "BDG-WWC-TRAY-01", "BLA-CRW-CUSH-01", "ANG-NMD-RUG-01"],
    "ondc": ["SGR-SOZ-STOLE-01", "BDG-WWC-TRAY-01", "JMU-WIL-BSK-01", "ANG-NMD-RUG-01"],
}
AMAZON_STATUS = {"accepted": "Unshipped", "shipped": "Shipped", "cancelled": "Canceled"}
ONDC_STATE = {
    "accepted": ("Accepted", "Pending"),
    "shipped": ("In-progress", "Order-picked-up"),
    "cancelled": ("Cancelled", "Cancelled"),
}


def _count(model: Any, context: dict[str, Any], **_: Any) -> None:
    CALLS[f"{model.service_model.service_name}.{model.name}"] += 1
    context["bench_started"] = time.perf_counter()


def _time_call(context: dict[str, Any], **_: Any) -> None:
    if "bench_started" in context:
        AWS_SECONDS[0] += time.perf_counter() - context.pop("bench_started")


def _amazon(order_id: str, status: str, at: str, sku: str) -> dict[str, Any]:
    return {
        "NotificationVersion": "1.0",
        "NotificationType": "ORDER_CHANGE",
        "PayloadVersion": "1.0",
        "EventTime": at,
        "Payload": {
            "OrderChangeNotification": {
                "NotificationLevel": "OrderLevel",
                "SellerId": "A3TH9S8BH6GOGM",
                "AmazonOrderId": order_id,
                "OrderChangeType": "OrderStatusChange",
                "OrderChangeTrigger": {"TimeOfOrderChange": at},
                "Summary": {
                    "MarketplaceId": "A21TJRUUN4KGV",
                    "OrderStatus": AMAZON_STATUS[status],
                    "DestinationPostalCode": "560034",
                    "LatestShipDate": "2026-11-22T18:29:59Z",
                    "OrderItems": [{"OrderItemId": "1", "SellerSKU": sku, "Quantity": 1}],
                },
            }
        },
        "NotificationMetadata": {"NotificationId": str(uuid.uuid4())},
    }


def _haat(order_id: str, status: str, at: str, sku: str) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "outlet_id": "HAAT-SGR-01",
        "bill_no": order_id,
        "status": status,
        "occurred_at": at,
        "dispatch_by": "2026-11-24T18:00:00+05:30",
        "items": [{"sku": sku, "qty": 1, "unit_price": "1800.00"}],
    }


def _ondc(order_id: str, status: str, at: str, sku: str) -> dict[str, Any]:
    state, fulfillment = ONDC_STATE[status]
    return {
        "context": {
            "domain": "ONDC:RET12",
            "action": "on_status",
            "bap_id": "buyer.haat.local",
            "transaction_id": order_id,
            "message_id": str(uuid.uuid4()),
            "timestamp": at,
        },
        "message": {
            "order": {
                "id": order_id,
                "state": state,
                "updated_at": at,
                "items": [{"id": sku, "quantity": {"count": 1}, "fulfillment_id": "F1"}],
                "fulfillments": [
                    {"id": "F1", "type": "Delivery", "state": {"descriptor": {"code": fulfillment}}}
                ],
                "quote": {
                    "price": {"value": "2500.00"},
                    "breakup": [
                        {
                            "@ondc/org/item_id": sku,
                            "@ondc/org/title_type": "item",
                            "price": {"value": "2500.00"},
                        }
                    ],
                },
            }
        },
    }


BUILDERS = {"amazon": _amazon, "haat": _haat, "ondc": _ondc}


def workload(total: int, rng: random.Random) -> tuple[list[tuple[str, str]], dict[tuple[str, str], str]]:
    """(channel, body) messages in delivery order, and each order's expected final status."""
    messages: list[tuple[str, str]] = []
    expected: dict[tuple[str, str], str] = {}
    malformed = total // 100
    while len(messages) < total - malformed - total // 10:
        channel = rng.choice(list(BUILDERS))
        order_id = f"B-{uuid.uuid4().hex[:12]}"
        sku = rng.choice(SKUS[channel])
        later = rng.choice(["shipped", "cancelled", None, None])
        events = [("accepted", "2026-11-20T06:00:00Z")]
        if later:
            events.append((later, "2026-11-20T09:00:00Z"))
        if later and rng.random() < 0.10:  # out of order: the later status arrives first
            events.reverse()
        for status, at in events:
            messages.append((channel, json.dumps(BUILDERS[channel](order_id, status, at, sku))))
        canonical_id = f"HAAT-SGR-01-{order_id}" if channel == "haat" else order_id
        expected[(channel, canonical_id)] = later or "accepted"
    for _ in range(total - malformed - len(messages)):  # about 10% duplicate deliveries
        index = rng.randrange(len(messages))
        messages.insert(rng.randrange(index, len(messages) + 1), messages[index])
    for _ in range(malformed):
        messages.insert(rng.randrange(len(messages)), ("haat", '{"event_id": "broken", '))
    return messages, expected


def _attributes(channel: str, body: str) -> dict[str, Any]:
    """The message attributes the webhook would set (Amazon's notifications arrive with none)."""
    if channel == "amazon":
        return {}
    try:
        claimed = identity.claimed_account(channel, json.loads(body))
    except ValueError:
        claimed = ""  # a malformed body: quarantined whatever it claims
    received_at = datetime.now(UTC).isoformat()
    return {
        name: {"stringValue": value, "dataType": "String", "stringListValues": [], "binaryListValues": []}
        for name, value in identity.message_attributes(channel, claimed, received_at).items()
    }


def _sqs_event(batch: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": "r",
                "body": body,
                "attributes": {},
                "messageAttributes": _attributes(channel, body),
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "awsRegion": "ap-south-1",
                "eventSourceARN": "arn:aws:sqs:ap-south-1:123456789012:order-events",
            }
            for channel, body in batch
        ]
    }


def baseline(messages: list[tuple[str, str]]) -> float:
    """Events/s of one conditional PutItem per event (no parsing, no registry, no SMS)."""
    table = aws.table(settings().OPS_TABLE)
    started = time.perf_counter()
    for index, (_, body) in enumerate(messages):
        table.put_item(
            Item={"pk": f"BENCH#{index}", "sk": "RAW", "body": body[:200]},
            ConditionExpression="attribute_not_exists(pk)",
        )
    return len(messages) / (time.perf_counter() - started)


ROUND_EVENTS = 500


def run_round(total: int, rng: random.Random, with_baseline: bool) -> dict[str, Any]:
    """One fresh local stack, `total` mixed events through the handler, then the checks."""
    messages, expected = workload(total, rng)
    with stack.running() as local_aws:
        demo.seed_registry()
        for product in (
            "P-SGR-SOZ-01",
            "P-SGR-PM-02",
            "P-BDG-WWC-01",
            "P-BLA-CRW-01",
            "P-ANG-NMD-01",
            "P-JMU-WIL-01",
        ):
            aws.table(settings().REGISTRY_TABLE).update_item(
                Key={"pk": f"PRODUCT#{product}", "sk": "PROFILE"},
                UpdateExpression="SET stock = :s",
                ExpressionAttributeValues={":s": 10 * total},
            )
        app = runner.load_app()
        base_rate = baseline(messages) if with_baseline else 0.0
        boto3.setup_default_session()
        boto3.DEFAULT_SESSION.events.register("before-call", _count)
        boto3.DEFAULT_SESSION.events.register("after-call", _time_call)
        aws.reset()
        failures = 0
        started = time.perf_counter()
        for start in range(0, len(messages), 10):
            response = runner.invoke(app, "on_order_events", _sqs_event(messages[start : start + 10]))
            failures += len(response["batchItemFailures"])
        elapsed = time.perf_counter() - started
        boto3.setup_default_session()
        aws.reset()
        lost = 0
        for (channel, order_id), status in expected.items():
            item = (
                aws.table(settings().ORDERS_TABLE)
                .get_item(Key={"pk": f"ORDER#{channel}#{order_id}", "sk": "ORDER"})
                .get("Item")
            )
            if item is None or item["status"] != status:
                lost += 1
                print(f"lost: {channel}/{order_id} expected {status}, found {item and item['status']}")
        with urllib.request.urlopen(f"{local_aws.endpoint}/moto-api/data.json", timeout=60) as response:
            sms = json.loads(response.read())["sns"]["SMS"]
        texts = Counter((m["phone_number"], m["message"]) for m in sms)
        aws.reset()
    return {
        "events": len(messages),
        "orders": len(expected),
        "elapsed": elapsed,
        "failures": failures,
        "lost": lost,
        "double_notified": sum(count - 1 for count in texts.values() if count > 1),
        "sms": len(sms),
        "baseline": base_rate,
    }


LATENCY_ROUND = 500
# Orders per second sent to the webhook: a steady 2/s (7,200 an hour, far above a mission's day) keeps
# the one local consumer below saturation on the shared 2-core box, where moto answers each call in
# 10-40 ms and an order costs ~8 calls; at 4/s its queue grew for the whole run on a loaded box.
LATENCY_RATE_PER_S = 2.0
# After the last webhook: wait while SMS keep arriving; give up only after this long without one.
LATENCY_IDLE_TIMEOUT_S = 60.0
BASELINE_PUTS = 200  # conditional PutItems timed on each latency round's stack


def _sms_clock(sent_at: dict[str, float], order_ids: set[str]) -> Any:
    """Botocore hooks that note when SNS accepted the SMS of each order (its bill number is in the text)."""

    def before(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["bench_sms"] = str(params.get("Message", ""))

    def after(context: dict[str, Any], http_response: Any, **_: Any) -> None:
        text = context.pop("bench_sms", "")
        if http_response.status_code != 200:
            return
        for order_id in order_ids - sent_at.keys():
            if order_id in text:
                sent_at[order_id] = time.perf_counter()

    return before, after


class QueuePoller(threading.Thread):
    """Lambda's SQS poller in miniature: long-poll, invoke the handler with the batch, delete what
    succeeded. A failed poll or invocation is counted and retried (as Lambda's poller does), never
    the end of the thread; `stop()` lets the batch in hand finish before the stack goes away.

    Times the handler's own work: each invocation's elapsed time less its time inside AWS calls
    (this thread's botocore calls are timed by `aws_call_hooks`)."""

    def __init__(self, app: Any) -> None:
        super().__init__(name="bench-sqs-poller", daemon=True)
        self.app = app
        self.halt = threading.Event()
        self.errors: Counter[str] = Counter()
        self.events = 0
        self.received_at: dict[str, float] = {}  # bill number -> when its message was received
        self.own_seconds = 0.0
        self._aws_seconds = 0.0

    def aws_call_hooks(self) -> tuple[Any, Any]:
        def before(context: dict[str, Any], **_: Any) -> None:
            if threading.current_thread() is self:
                context["bench_poller_started"] = time.perf_counter()

        def after(context: dict[str, Any], **_: Any) -> None:
            if "bench_poller_started" in context:
                self._aws_seconds += time.perf_counter() - context.pop("bench_poller_started")

        return before, after

    def run(self) -> None:
        sqs = aws.client("sqs")
        url = aws.queue_url(settings().ORDER_EVENTS_QUEUE)
        size = runner.batch_size(self.app, "on_order_events")
        while not self.halt.is_set():
            try:
                self._poll_once(sqs, url, size)
            except Exception as error:  # noqa: BLE001 - counted, reported, retried
                self.errors[type(error).__name__] += 1
                self.halt.wait(0.2)

    def _poll_once(self, sqs: Any, url: str, size: int) -> None:
        messages = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=size,
            WaitTimeSeconds=1,  # returns as soon as a message arrives; 1 s lets stop() act quickly
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return
        received = time.perf_counter()
        for message in messages:
            self.received_at[str(json.loads(message["Body"]).get("bill_no"))] = received
        event = runner.sqs_event(messages, settings().ORDER_EVENTS_QUEUE)
        aws_before, started = self._aws_seconds, time.perf_counter()
        response = runner.invoke(self.app, "on_order_events", event)
        self.own_seconds += time.perf_counter() - started - (self._aws_seconds - aws_before)
        self.events += len(messages)
        failed = {f["itemIdentifier"] for f in response.get("batchItemFailures", [])}
        for message in messages:
            if message["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def stop(self) -> None:
        self.halt.set()
        self.join()


@dataclass
class LatencyRound:
    latencies_ms: list[float]
    queued_ms: list[float]  # of the latency, from the 202 to the poller receiving the message
    answer_ms: list[float]  # the webhook's own time to its 202
    sent_per_s: float
    untold: int
    handler_events: int
    handler_own_seconds: float
    poller_errors: Counter[str]
    baseline_put_ms: float


def latency_round(total: int, rng: random.Random, rate_per_s: float) -> LatencyRound:
    """`total` new outlet orders through API -> queue -> handler -> outbox -> SNS on a fresh stack;
    each order's ms from its webhook's 202 to its SMS accepted by SNS (an order without an SMS is
    counted as untold, and fails the run)."""
    from haat_tools import webhook_client

    with stack.running():
        demo.seed_registry()
        app = runner.load_app()
        baseline_put_ms = 1000 / baseline(workload(BASELINE_PUTS, rng)[0][:BASELINE_PUTS])
        accepted_at: dict[str, float] = {}
        answer_ms: list[float] = []  # how long each webhook waited for its 202
        sms_at: dict[str, float] = {}
        bills = [f"L-{uuid.uuid4().hex[:10]}" for _ in range(total)]
        before, after = _sms_clock(sms_at, set(bills))
        poller = QueuePoller(app)
        call_started, call_ended = poller.aws_call_hooks()
        boto3.setup_default_session()
        boto3.DEFAULT_SESSION.events.register("before-parameter-build.sns.Publish", before)
        boto3.DEFAULT_SESSION.events.register("after-call.sns.Publish", after)
        boto3.DEFAULT_SESSION.events.register("before-call", call_started)
        boto3.DEFAULT_SESSION.events.register("after-call", call_ended)
        aws.reset()
        with runner.serve_api(app) as api_url:
            poller.start()
            try:
                first_send = next_send = time.perf_counter()
                for bill in bills:
                    time.sleep(max(0.0, next_send - time.perf_counter()))
                    next_send += 1 / rate_per_s
                    payload = _haat(bill, "accepted", "2026-11-20T06:00:00Z", rng.choice(SKUS["haat"]))
                    body = json.dumps(payload).encode()
                    headers = webhook_client.signed_headers("haat", body, payload)
                    posted = time.perf_counter()
                    status, _ = webhook_client.post(api_url, "haat", body, headers)
                    if status == 202:
                        accepted_at[bill] = time.perf_counter()
                        answer_ms.append((accepted_at[bill] - posted) * 1000)
                sent_per_s = total / (time.perf_counter() - first_send)
                told, last_progress = len(sms_at), time.perf_counter()
                while (
                    len(sms_at) < len(accepted_at)
                    and time.perf_counter() - last_progress < LATENCY_IDLE_TIMEOUT_S
                ):
                    time.sleep(0.2)
                    if len(sms_at) > told:
                        sent_per_s = total / (time.perf_counter() - first_send)
                told, last_progress = len(sms_at), time.perf_counter()
            finally:
                poller.stop()
        boto3.setup_default_session()
        aws.reset()
    return LatencyRound(
        latencies_ms=[(sms_at[bill] - accepted_at[bill]) * 1000 for bill in accepted_at if bill in sms_at],
        queued_ms=[
            (poller.received_at[bill] - accepted_at[bill]) * 1000
            for bill in accepted_at
            if bill in sms_at and bill in poller.received_at
        ],
        answer_ms=answer_ms,
        sent_per_s=sent_per_s,
        untold=total - len([bill for bill in accepted_at if bill in sms_at]),
        handler_events=poller.events,
        handler_own_seconds=poller.own_seconds,
        poller_errors=poller.errors,
        baseline_put_ms=baseline_put_ms,
    )


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))], 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000, help="0: the latency phase only")
    parser.add_argument("--latency-events", type=int, default=2_000)
    parser.add_argument("--latency-rate", type=float, default=LATENCY_RATE_PER_S, help="webhooks per second")
    parser.add_argument("--quick", action="store_true", help="600 events, 100 for latency: a smoke run")
    args = parser.parse_args()
    total = 600 if args.quick else args.events
    latency_total = 100 if args.quick else args.latency_events
    rng = random.Random(20261120)
    summary: dict[str, Any] = {}
    failed = False
    if total:
        summary, failed = throughput(total, rng)
    if latency_total:
        latency, latency_failed = latency_phase(latency_total, rng, args.latency_rate)
        summary |= latency
        failed = failed or latency_failed
    print(json.dumps(summary))
    if failed:
        sys.exit(1)


def throughput(total: int, rng: random.Random) -> tuple[dict[str, Any], bool]:
    rounds = []
    remaining = total
    while remaining > 0:
        size = min(ROUND_EVENTS, remaining)
        rounds.append(run_round(size, rng, with_baseline=not rounds))
        remaining -= size
        print(
            f"round {len(rounds)}: {rounds[-1]['events']} events in {rounds[-1]['elapsed']:.1f}s", flush=True
        )
    events = sum(r["events"] for r in rounds)
    elapsed = sum(r["elapsed"] for r in rounds)
    failures = sum(r["failures"] for r in rounds)
    lost = sum(r["lost"] for r in rounds)
    double_notified = sum(r["double_notified"] for r in rounds)
    base_rate = rounds[0]["baseline"]
    ddb = sum(n for name, n in CALLS.items() if name.startswith("dynamodb."))
    recording = sum(CALLS[f"dynamodb.{op}"] for op in ("BatchGetItem", "TransactWriteItems", "PutItem"))
    sns = sum(n for name, n in CALLS.items() if name.startswith("sns."))
    rate = events / elapsed
    own_ms = (elapsed - AWS_SECONDS[0]) / events * 1000
    print(f"events {events}  orders {sum(r['orders'] for r in rounds)}  handler failures {failures}")
    print(f"AWS calls: {dict(sorted(CALLS.items()))}")
    print(
        f"orders handler: {rate:.0f} events/s; baseline (one conditional PutItem per event):"
        f" {base_rate:.0f}/s; ratio {rate / base_rate:.2f}"
    )
    print(
        f"DynamoDB calls/event {ddb / events:.2f} (recording {recording / events:.2f},"
        f" SMS delivery {(ddb - recording) / events:.2f});"
        f" SNS publishes/event {sns / events:.2f}; SMS sent {sum(r['sms'] for r in rounds)}"
    )
    print(
        f"handler's own time {own_ms:.1f} ms/event (elapsed less time waiting on AWS calls);"
        f" baseline conditional PutItem {1000 / base_rate:.1f} ms each"
    )
    summary = {
        "events": events,
        "events_per_s": round(rate, 1),
        "baseline_events_per_s": round(base_rate, 1),
        "ratio_to_baseline": round(rate / base_rate, 3),
        "ddb_calls_per_event": round(ddb / events, 3),
        "ddb_recording_calls_per_event": round(recording / events, 3),
        "sns_calls_per_event": round(sns / events, 3),
        "lost": lost,
        "double_notified": double_notified,
        "handler_own_ms_per_event": round(own_ms, 2),
    }
    return summary, bool(lost or double_notified or failures)


def latency_phase(total: int, rng: random.Random, rate_per_s: float) -> tuple[dict[str, Any], bool]:
    """Rounds of LATENCY_ROUND orders, each on a fresh stack; percentiles over all of them."""
    rounds: list[LatencyRound] = []
    remaining = total
    while remaining > 0:
        size = min(LATENCY_ROUND, remaining)
        rounds.append(latency_round(size, rng, rate_per_s))
        remaining -= size
        told = sum(len(r.latencies_ms) for r in rounds)
        print(f"latency round {len(rounds)}: {told} of {total - remaining} orders told", flush=True)
    latencies = [ms for r in rounds for ms in r.latencies_ms]
    queued = [ms for r in rounds for ms in r.queued_ms]
    answers = [ms for r in rounds for ms in r.answer_ms]
    sent_per_s = statistics.fmean(r.sent_per_s for r in rounds)
    untold = sum(r.untold for r in rounds)
    handler_events = sum(r.handler_events for r in rounds)
    own_ms = sum(r.handler_own_seconds for r in rounds) / max(1, handler_events) * 1000
    put_ms = statistics.median(r.baseline_put_ms for r in rounds)
    errors = sum((r.poller_errors for r in rounds), Counter())
    print(
        f"webhooks sent at {sent_per_s:.2f}/s (asked {rate_per_s}/s); each answered 202 in"
        f" p50 {_percentile(answers, 0.5)} ms, p95 {_percentile(answers, 0.95)} ms"
    )
    print(
        f"webhook 202 -> SMS at SNS over {len(latencies)} orders: p50 {_percentile(latencies, 0.5)} ms,"
        f" p95 {_percentile(latencies, 0.95)} ms, p99 {_percentile(latencies, 0.99)} ms,"
        f" max {_percentile(latencies, 1.0)} ms; {untold} without an SMS; poller errors {dict(errors)}"
    )
    print(
        f"of which from the 202 to the poller receiving the message: p50 {_percentile(queued, 0.5)} ms,"
        f" p95 {_percentile(queued, 0.95)} ms, p99 {_percentile(queued, 0.99)} ms"
    )
    print(
        f"handler's own time in these rounds {own_ms:.1f} ms/event over {handler_events} events"
        f" (AWS calls taken out); baseline conditional PutItem on the same stacks {put_ms:.1f} ms each"
    )
    summary = {
        "latency_orders": len(latencies),
        "latency_sent_per_s": round(sent_per_s, 2),
        "webhook_202_p50_ms": _percentile(answers, 0.5),
        "latency_untold": untold,
        "webhook_to_sms_p50_ms": _percentile(latencies, 0.5),
        "webhook_to_sms_p95_ms": _percentile(latencies, 0.95),
        "webhook_to_sms_p99_ms": _percentile(latencies, 0.99),
        "webhook_to_sms_max_ms": _percentile(latencies, 1.0),
        "webhook_to_receive_p50_ms": _percentile(queued, 0.5),
        "webhook_to_receive_p95_ms": _percentile(queued, 0.95),
        "latency_handler_own_ms_per_event": round(own_ms, 2),
        "latency_baseline_put_ms": round(put_ms, 2),
        "latency_poller_errors": sum(errors.values()),
    }
    return summary, bool(untold)


if __name__ == "__main__":
    main()
