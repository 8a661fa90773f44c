"""A private order-events queue per test, so connector tests read exactly what they enqueued."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from chalicelib import aws
from chalicelib.config import settings


@dataclass(frozen=True)
class QueuedMessage:
    channel: str
    body: dict[str, Any]


def take_all(queue_name: str) -> list[QueuedMessage]:
    """Receive and delete everything on the queue."""
    sqs = aws.client("sqs")
    url = aws.queue_url(queue_name)
    taken = []
    while True:
        messages = sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, MessageAttributeNames=["All"], WaitTimeSeconds=0
        ).get("Messages", [])
        if not messages:
            return taken
        for message in messages:
            channel = message["MessageAttributes"]["channel"]["StringValue"]
            taken.append(QueuedMessage(channel, json.loads(message["Body"])))
        sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)],
        )


@pytest.fixture
def order_queue(local_aws: Any, monkeypatch: pytest.MonkeyPatch, unique: str) -> Iterator[str]:
    """ORDER_EVENTS_QUEUE pointed at a fresh queue for this test."""
    name = f"haat-test-order-events-{unique}"
    aws.client("sqs").create_queue(QueueName=name)
    monkeypatch.setenv("ORDER_EVENTS_QUEUE", name)
    settings.cache_clear()
    yield name
    settings.cache_clear()
