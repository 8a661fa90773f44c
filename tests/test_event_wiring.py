"""Every event path reaches its real Chalice handler in the shape AWS delivers it."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from chalice import Chalice
from chalice.test import Client

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.local import runner
from chalicelib.reports.runs import latest_run

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


def test_order_event_is_recorded_once_even_if_delivered_twice(client: Client, unique: str) -> None:
    event = client.events.generate_sqs_event(message_bodies=[json.dumps({"id": unique})], queue_name="q")
    event["Records"][0]["messageId"] = f"m-{unique}"
    first = client.lambda_.invoke("on_order_events", event).payload
    second = client.lambda_.invoke("on_order_events", event).payload
    assert first == second == {"batchItemFailures": []}
    item = aws.table(settings().ORDERS_TABLE).get_item(Key={"pk": f"RAW#m-{unique}", "sk": "RAW"})["Item"]
    assert json.loads(item["body"]) == {"id": unique}


def test_poison_message_fails_alone_and_ends_in_the_dead_letter_queue(app: Chalice, unique: str) -> None:
    good = _send_order(json.dumps({"id": unique}))
    poison = _send_order("{not json")
    results = [runner.drain(app, ORDERS) for _ in range(6)]
    assert results[0].succeeded >= 1
    assert aws.table(settings().ORDERS_TABLE).get_item(Key={"pk": f"RAW#{good}", "sk": "RAW"}).get("Item")
    dlq = aws.client("sqs").receive_message(
        QueueUrl=aws.queue_url(f"{settings().ORDER_EVENTS_QUEUE}-dlq"), MaxNumberOfMessages=10
    )["Messages"]
    assert poison in {m["MessageId"] for m in dlq}


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
        "dispatch_sweep": "rate(15 minutes)",
        "daily_digest": "cron(30 2 * * ? *)",
        "poll_channels": "rate(5 minutes)",
    }
    now = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
    assert runner.next_fire(expressions["dispatch_sweep"], now) == datetime(2026, 11, 20, 3, 15, tzinfo=UTC)
    assert runner.next_fire(expressions["daily_digest"], now) == datetime(2026, 11, 21, 2, 30, tzinfo=UTC)
