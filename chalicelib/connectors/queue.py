"""Putting channel payloads on the order-events queue, ten to a SendMessageBatch call."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from chalicelib import aws
from chalicelib.config import settings

BATCH_ENTRIES = 10
BATCH_BYTES = 240 * 1024  # SendMessageBatch caps the whole batch at 256 KiB
RESEND_ATTEMPTS = 3


T = TypeVar("T")


def chunked(items: Sequence[T], size: Callable[[T], int], limit: int) -> list[list[T]]:
    """`items` in order, cut into runs of at most `limit` (by `size`) so that one queue message
    carries many rows (a 10 MB export is hundreds of messages, not tens of thousands)."""
    runs: list[list[T]] = []
    total = 0
    for item in items:
        length = size(item)
        if not runs or (runs[-1] and total + length > limit):
            runs.append([])
            total = 0
        runs[-1].append(item)
        total += length
    return runs


class EnqueueFailed(Exception):
    """SQS kept refusing some entries; the caller must not advance past them."""


def _batches(bodies: Sequence[str]) -> Iterator[list[str]]:
    batch: list[str] = []
    size = 0
    for body in bodies:
        length = len(body.encode())
        if batch and (len(batch) == BATCH_ENTRIES or size + length > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(body)
        size += length
    if batch:
        yield batch


def send_payloads(channel: str, payloads: Sequence[dict[str, Any]]) -> list[str]:
    """Put each payload on the order-events queue with the `channel` attribute; all or raise.
    Returns the SQS message ids."""
    sqs = aws.client("sqs")
    url = aws.queue_url(settings().ORDER_EVENTS_QUEUE)
    attribute = {"channel": {"DataType": "String", "StringValue": channel}}
    bodies = [json.dumps(payload, ensure_ascii=False, separators=(",", ":")) for payload in payloads]
    message_ids: list[str] = []
    for batch in _batches(bodies):
        pending = {str(index): body for index, body in enumerate(batch)}
        for _ in range(RESEND_ATTEMPTS):
            response = sqs.send_message_batch(
                QueueUrl=url,
                Entries=[
                    {"Id": entry_id, "MessageBody": body, "MessageAttributes": attribute}
                    for entry_id, body in pending.items()
                ],
            )
            message_ids.extend(sent["MessageId"] for sent in response.get("Successful", []))
            pending = {failed["Id"]: pending[failed["Id"]] for failed in response.get("Failed", [])}
            if not pending:
                break
        if pending:
            raise EnqueueFailed(f"{len(pending)} {channel} messages refused by SQS")
    return message_ids
