"""`on_order_events`: order events from every channel, delivered through the order-events queue.

Webhook messages carry their channel (and receive time) as message attributes; Amazon's SP-API
ORDER_CHANGE envelopes arrive directly from Amazon, without attributes. Malformed or unmappable
messages are quarantined with the reason and acknowledged; anything else that fails (throttling, a
network error) raises, so only that message is retried and, after maxReceiveCount, parked in the DLQ.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.batch import process_sqs_batch
from chalicelib.connectors.adapters import adapter_for
from chalicelib.observability import logger, metrics
from chalicelib.orders import repository
from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.redact import masked_body
from chalicelib.orders.service import EventResult, process_event


def handle_batch(raw_event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_sqs_batch(raw_event, _handle_record, context)


def _attribute(record: SQSRecord, name: str) -> str:
    attribute = record.message_attributes[name]
    return str(attribute.string_value) if attribute and attribute.string_value else ""


def channel_of(payload: Any, attribute: str) -> str:
    """The message attribute set at ingress, or Amazon for an SP-API notification envelope."""
    if attribute:
        return attribute
    if isinstance(payload, dict) and "NotificationType" in payload and "Payload" in payload:
        return "amazon"
    return ""


def _handle_record(record: SQSRecord) -> list[EventResult]:
    logger.append_keys(correlation_id=record.message_id)
    received_at = _attribute(record, "received_at") or datetime.now(UTC).isoformat()
    channel = _attribute(record, "channel")
    try:
        payload = json.loads(record.body)
    except json.JSONDecodeError as error:
        return _quarantine(
            record, channel, f"malformed JSON: {error.msg} at line {error.lineno}", received_at
        )
    channel = channel_of(payload, channel)
    if not isinstance(payload, dict):
        return _quarantine(record, channel, "payload is not a JSON object", received_at)
    try:
        events = adapter_for(channel)(payload)
        return [process_event(event, record.message_id) for event in events]
    except UnmappableEvent as error:
        return _quarantine(record, channel, error.reason, received_at)


def _quarantine(record: SQSRecord, channel: str, reason: str, received_at: str) -> list[EventResult]:
    body = masked_body(record.body)
    repository.quarantine(record.message_id, channel or "unknown", reason, body, received_at)
    logger.warning("order message quarantined", extra={"channel": channel, "reason": reason})
    metrics.add_metric(name="OrderMessageQuarantined", unit="Count", value=1)
    return []
