"""`on_order_events`: order events from every channel, delivered through the order-events queue.

Webhook messages carry their channel (and receive time) as message attributes; Amazon's SP-API
ORDER_CHANGE envelopes arrive directly from Amazon, without attributes. A message that is not JSON,
nests too deep, cannot be mapped, or holds values beyond the order bounds (`limits.py`) is
quarantined with the reason, logged without its content, and acknowledged: redelivering it would
never help. Only AWS failures (throttling, a network error, an order that kept changing) raise, so
only they are retried and, after maxReceiveCount, parked in the DLQ.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import ClientError

from chalicelib.batch import process_sqs_batch
from chalicelib.connectors.adapters import map_payload
from chalicelib.observability import logger, metrics
from chalicelib.orders import identity, limits, repository
from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.models import OrderEvent
from chalicelib.orders.redact import masked_body
from chalicelib.orders.service import EventResult, process_event

# A JSON string (escapes included) or a bracket: enough to measure nesting without parsing.
_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89abAB]|\\u[dD][c-fC-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def handle_batch(raw_event: dict[str, Any]) -> dict[str, Any]:
    return process_sqs_batch(raw_event, _handle_record)


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


def nesting_depth(body: str, stop_above: int) -> int:
    """How deep brackets nest in `body` (stops counting once past `stop_above`)."""
    depth = deepest = 0
    for token in _JSON_TOKENS.finditer(body):
        mark = token.group()
        if mark in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if depth > stop_above:
                break
        elif mark in "]}":
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise UnmappableEvent(f"JSON holds {name}, which is not a number")


def _replace_lone_surrogates(value: Any) -> Any:
    """Half of an emoji (a lone UTF-16 surrogate, legal in JSON's escapes) becomes U+FFFD: no
    store or queue accepts it, and a buyer's cut-off name must not cost the order."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_lone_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_replace_lone_surrogates(k): _replace_lone_surrogates(v) for k, v in value.items()}
    return value


def parse_body(body: str) -> Any:
    """The message body as JSON, or UnmappableEvent saying why not."""
    max_depth = limits.order_limits().ORDER_MAX_JSON_DEPTH
    if nesting_depth(body, max_depth) > max_depth:
        raise UnmappableEvent(f"JSON nested deeper than ORDER_MAX_JSON_DEPTH {max_depth}")
    try:
        payload = json.loads(body, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise UnmappableEvent(
            f"malformed JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from error
    except (ValueError, RecursionError) as error:
        raise UnmappableEvent(f"malformed JSON ({type(error).__name__})") from error
    return _replace_lone_surrogates(payload) if _ESCAPED_SURROGATE.search(body) else payload


def _handle_record(record: SQSRecord) -> list[EventResult]:
    logger.append_keys(correlation_id=record.message_id)
    received_at = _attribute(record, "received_at") or datetime.now(UTC).isoformat()
    channel = _attribute(record, "channel")
    try:
        payload = parse_body(record.body)
        channel = channel_of(payload, channel)
        if not isinstance(payload, dict):
            raise UnmappableEvent("payload is not a JSON object")
        mapped = map_payload(channel, payload)
        verified = _attribute(record, identity.verified_attribute(channel))
        account = identity.account_of(channel, payload, verified)  # before anything is recorded
        events = [event.model_copy(update={"account": account}) for event in mapped]
    except (UnmappableEvent, identity.NotTheSender) as error:
        _quarantine(record.message_id, channel, error.reason, record.body, received_at)
        return []
    results = []
    for event in events:
        try:
            results.append(_process(event, record.message_id))
        except UnmappableEvent as error:
            if len(events) == 1:
                _quarantine(record.message_id, channel, error.reason, record.body, received_at)
            else:  # the message's other events go on; this one is kept under its own key
                key = f"{record.message_id}#{event.event_id}"
                _quarantine(key, channel, error.reason, event.model_dump_json(), received_at)
    return results


def _process(event: OrderEvent, message_id: str) -> EventResult:
    """Bounds first, then the service; a write DynamoDB refuses as invalid is quarantined too."""
    if reason := limits.problem(event):
        raise UnmappableEvent(reason)
    try:
        return process_event(event, message_id)
    except ClientError as error:
        if refused_as_invalid(error):
            raise UnmappableEvent(f"DynamoDB refused the order: {error.response['Error']['Code']}") from error
        raise


def refused_as_invalid(error: ClientError) -> bool:
    """DynamoDB said the request itself is invalid (an item too large, a number out of range):
    the same message would be refused on every retry."""
    code = error.response.get("Error", {}).get("Code", "")
    if code == "ValidationException":
        return True
    reasons = error.response.get("CancellationReasons") or []
    return code == "TransactionCanceledException" and any(r.get("Code") == "ValidationError" for r in reasons)


def _quarantine(key: str, channel: str, reason: str, body: str, received_at: str) -> None:
    """Keep the message (buyers' data masked) with the reason; log the reason, never the content."""
    kept = _SURROGATE.sub("\ufffd", masked_body(body))
    repository.quarantine(key, channel or "unknown", reason, kept, received_at)
    logger.warning("order message quarantined", extra={"channel": channel, "reason": reason})
    metrics.add_metric(name="OrderMessageQuarantined", unit="Count", value=1)
