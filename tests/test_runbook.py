"""Every runbook command (docs/runbook.md), run against the local stack."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from chalice import Chalice
from click.testing import Result

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.notify.models import Template
from chalicelib.queues import dead_letter_queue
from haat_tools.cli.ops import digest_fire_time
from haat_tools.local import runner
from tests.registry_seed import register


def test_redrive_moves_dead_letters_back_to_their_queue(
    cli: Callable[..., Result], app: Chalice, unique: str
) -> None:
    sqs = aws.client("sqs")
    queue = settings().ORDER_EVENTS_QUEUE
    runner.drain(app, runner.binding("on_order_events"))
    sqs.send_message(
        QueueUrl=aws.queue_url(dead_letter_queue(queue)),
        MessageBody=json.dumps({"redrive": unique}),
        MessageAttributes={"channel": {"DataType": "String", "StringValue": "haat"}},
    )
    result = json.loads(cli("ops", "redrive", "--queue", "orders").output)
    assert result["redriven"] >= 1
    messages = sqs.receive_message(
        QueueUrl=aws.queue_url(queue), MaxNumberOfMessages=10, MessageAttributeNames=["All"]
    )["Messages"]
    [moved] = [m for m in messages if unique in m["Body"]]
    assert moved["MessageAttributes"]["channel"]["StringValue"] == "haat"
    runner.drain(app, runner.binding("on_order_events"))


def test_rotate_secret_replaces_the_parameter(cli: Callable[..., Result], unique: str) -> None:
    name = f"webhooks/haat/outlet-{unique}"
    first = json.loads(cli("ops", "rotate-secret", name).output)
    second = json.loads(cli("ops", "rotate-secret", name).output)
    assert first["value"] != second["value"]
    stored = aws.client("ssm").get_parameter(Name=second["parameter"], WithDecryption=True)
    assert stored["Parameter"]["Value"] == second["value"]


def test_rerun_digest_fires_the_digest_for_that_ist_day(cli: Callable[..., Result]) -> None:
    first = cli("ops", "rerun-digest", "--date", "2026-11-19").output
    second = cli("ops", "rerun-digest", "--date", "2026-11-19").output
    assert first == second
    assert digest_fire_time(date(2026, 11, 19)).isoformat() == "2026-11-20T02:30:00+00:00"


def test_reprocess_photo_judges_the_stored_upload_again(
    cli: Callable[..., Result], app: Chalice, api_url: str, unique: str
) -> None:
    register(f"SHG-{unique}", f"P-{unique}")
    key = f"uploads/SHG-{unique}/P-{unique}/front.jpg"
    aws.client("s3").put_object(Bucket=settings().UPLOADS_BUCKET, Key=key, Body=b"not a photo at all")
    runner.drain(app, runner.binding("on_photo_uploaded"))
    catalogue = aws.table(settings().CATALOGUE_TABLE)
    query = {
        "KeyConditionExpression": "pk = :pk",
        "ExpressionAttributeValues": {":pk": f"PRODUCT#P-{unique}"},
    }
    before = [i for i in catalogue.query(**query)["Items"] if i["sk"].startswith("PHOTO#")]

    result = json.loads(cli("ops", "reprocess-photo", key).output)
    runner.drain(app, runner.binding("on_photo_uploaded"))

    after = [i for i in catalogue.query(**query)["Items"] if i["sk"].startswith("PHOTO#")]
    reprocessed = [i for i in after if i["sk"].endswith(result["revision"])]
    assert len(before) == 1
    assert [i["verdict"] for i in reprocessed] == ["rejected"]
    assert reprocessed[0]["processed_at"] >= before[0]["processed_at"]


def test_templates_check_lists_every_template_of_a_language(cli: Callable[..., Result]) -> None:
    lines = [json.loads(line) for line in cli("ops", "templates", "--language", "hi").output.splitlines()]
    assert {line["template"] for line in lines} == {t.value for t in Template}
    assert all(line["encoding"] == "UCS-2" for line in lines)
    assert all(line["text"].count("{#var#}") >= 1 and line["dlt_template_id"] for line in lines)
