"""Every event path reaches its real Chalice handler in the shape AWS delivers it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from chalice import Chalice
from chalice.test import Client

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.ops import latest_run
from chalicelib.orders import repository as orders_repository
from haat_tools.local import demo, runner
from haat_tools.local.stack import PROJECT_DIR
from tests.registry_seed import register

ORDERS = runner.binding("on_order_events")
PHOTOS = runner.binding("on_photo_uploaded")


def _send_order(body: str, channel: str = "amazon") -> str:
    response = aws.client("sqs").send_message(
        QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE),
        MessageBody=body,
        MessageAttributes={"channel": {"DataType": "String", "StringValue": channel}},
    )
    return str(response["MessageId"])


def test_upload_with_devanagari_name_reaches_on_photo_uploaded(app: Chalice, unique: str) -> None:
    register(f"SHG-{unique}", f"P-{unique}")
    key = f"uploads/SHG-{unique}/P-{unique}/शॉल फोटो 1.jpg"
    aws.client("s3").put_object(Bucket=settings().UPLOADS_BUCKET, Key=key, Body=b"not yet checked")
    result = runner.drain(app, PHOTOS)
    assert result.succeeded >= 1
    items = aws.table(settings().CATALOGUE_TABLE).query(
        KeyConditionExpression="pk = :pk AND begins_with(sk, :photo)",
        ExpressionAttributeValues={":pk": f"PRODUCT#P-{unique}", ":photo": "PHOTO#"},
    )["Items"]
    assert [(item["key"], item["verdict"], item["codes"]) for item in items] == [
        (key, "rejected", ["not_an_image"])
    ]


def _amazon_order(unique: str) -> str:
    sample = json.loads((PROJECT_DIR / "events/orders/amazon_order_change.json").read_text())
    sample["Payload"]["OrderChangeNotification"]["AmazonOrderId"] = f"408-{unique}"
    sample["NotificationMetadata"]["NotificationId"] = f"n-{unique}"
    return json.dumps(sample)


def _order_items(unique: str) -> list[dict[str, object]]:
    return list(
        aws.table(settings().ORDERS_TABLE).query(
            KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": f"ORDER#amazon#408-{unique}"}
        )["Items"]
    )


def test_order_event_is_recorded_once_even_if_delivered_twice(client: Client, unique: str) -> None:
    demo.seed_registry()
    event = client.events.generate_sqs_event(message_bodies=[_amazon_order(unique)], queue_name="q")
    event["Records"][0]["messageId"] = f"m-{unique}"
    first = client.lambda_.invoke("on_order_events", event).payload
    second = client.lambda_.invoke("on_order_events", event).payload
    assert first == second == {"batchItemFailures": []}
    items = _order_items(unique)
    assert sorted(str(item["sk"]) for item in items) == [f"EVENT#amazon:n-{unique}", "ORDER"]


def test_poison_message_fails_alone_and_ends_in_quarantine(app: Chalice, unique: str) -> None:
    demo.seed_registry()
    _send_order(_amazon_order(unique))
    poison = _send_order("{not json")
    result = runner.drain(app, ORDERS)
    assert result.failed == 0
    assert [item for item in _order_items(unique) if item["sk"] == "ORDER"]
    [kept] = [q for q in orders_repository.quarantined(limit=1000) if q["message_id"] == poison]
    assert kept["reason"].startswith("malformed JSON")
    assert kept["body"] == "{not json"


def test_schedules_fire_and_leave_a_record(app: Chalice) -> None:
    at = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)
    runner.fire(app, "dispatch_sweep", at)
    digest = runner.fire(app, "daily_digest", at)
    assert latest_run("dispatch_sweep") is not None
    head = aws.client("s3").head_object(Bucket=settings().MEDIA_BUCKET, Key=digest["report_key"])
    assert head["ContentLength"] > 0


def test_schedule_timers_follow_their_expressions(app: Chalice) -> None:
    expressions = runner.schedules(app)
    assert expressions == {
        "deliver_notifications": "rate(1 minute)",
        "dispatch_sweep": "rate(15 minutes)",
        "daily_digest": "cron(30 2 * * ? *)",
        "poll_channels": "rate(5 minutes)",
    }
    now = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    assert runner.next_fire(expressions["dispatch_sweep"], now) == datetime(2026, 11, 20, 3, 15, tzinfo=UTC)
    assert runner.next_fire(expressions["daily_digest"], now) == datetime(2026, 11, 21, 2, 30, tzinfo=UTC)
