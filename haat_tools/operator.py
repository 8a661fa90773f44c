"""Send a file of order events through the real path and report what became of each line.

A file is JSON lines of `{"channel": ..., "payload": {...}}` (haat lines may add "outlet_id").
Every line gets exactly one result line, whatever it holds: a line that is not UTF-8, not JSON or
not of that shape is `refused` here with the reason, and the next line goes on. Webhook channels
(haat, ONDC) get signed requests to the API (local or a deployed stage), whose refusals are
reported with the HTTP status; Amazon, Flipkart and Meesho records go straight onto the
order-events queue with their channel, as Amazon and Haat's connectors put them there. What the
handler made of each message is read back from the orders table: the history entry written by
*this* message (`recorded`), one written by an earlier copy (`duplicate`), or the quarantine.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.connectors.adapters import ADAPTERS, map_payload
from chalicelib.connectors.order_events import parse_body
from chalicelib.notify import outbox
from chalicelib.orders import repository
from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.webhooks import VERIFIERS
from haat_tools import webhook_client

FAILED = frozenset({"refused", "quarantined", "pending"})


@dataclass(frozen=True)
class Line:
    """One line of the file: what to send, or why it cannot be sent."""

    number: int
    channel: str = ""
    payload: Any = None
    outlet_id: str = ""
    refusal: str = ""


def _envelope(number: int, raw: bytes) -> Line:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return Line(number, refusal=f"not UTF-8: byte 0x{raw[error.start]:02x} at byte {error.start + 1}")
    try:
        envelope = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as error:
        return Line(number, refusal=f"not a JSON line: {error.msg} at column {error.colno}")
    except (ValueError, RecursionError) as error:
        return Line(number, refusal=f"not a JSON line ({type(error).__name__})")
    if not isinstance(envelope, dict) or "payload" not in envelope:
        return Line(number, refusal='not {"channel": ..., "payload": ...}')
    channel = envelope.get("channel")
    if not isinstance(channel, str) or channel not in ADAPTERS:
        name, known = str(channel)[:40], ", ".join(sorted(ADAPTERS))
        return Line(number, name, refusal=f"unknown channel {name!r} (one of {known})")
    return Line(number, channel, envelope["payload"], str(envelope.get("outlet_id", "")))


def read_lines(data: bytes) -> Iterator[Line]:
    """Each non-blank line of a file's bytes (LF or CRLF), numbered as an editor shows them."""
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if raw.strip():
            yield _envelope(number, raw.rstrip(b"\r"))


def body_of(payload: Any) -> str:
    """The payload as sent: a string verbatim (how to send a malformed body on purpose), anything
    else as JSON with non-ASCII escaped, so any text - a lone surrogate too - travels intact."""
    return payload if isinstance(payload, str) else json.dumps(payload)


def send(api_url: str, line: Line) -> dict[str, Any]:
    """Submit one line; {"message_id"} when accepted, {"outcome": "refused", ...} when not."""
    body = body_of(line.payload)
    if line.channel not in VERIFIERS:
        response = aws.client("sqs").send_message(
            QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE),
            MessageBody=body,
            MessageAttributes={"channel": {"DataType": "String", "StringValue": line.channel}},
        )
        return {"message_id": response["MessageId"]}
    raw = body.encode()
    signer = line.payload if isinstance(line.payload, dict) else {"outlet_id": line.outlet_id}
    for _ in range(2):
        headers = webhook_client.signed_headers(line.channel, raw, signer)
        status, answer = webhook_client.post(api_url, line.channel, raw, headers)
        if status != 401:
            break
        # A re-send in the same second signs alike and is refused as a replay (the API's 401 does not
        # say which refusal it is): sign it anew in the next second; a bad signature fails again.
        time.sleep(1.01 - time.time() % 1)
    if status != 202:
        return {"outcome": "refused", "http_status": status, "reason": str(answer.get("message", ""))}
    return {"message_id": answer["message_id"]}


def outcomes(line: Line, message_id: str) -> list[dict[str, Any]] | None:
    """One result per event of the message, or None while it is not processed yet."""
    try:
        events = map_payload(line.channel, parse_body(body_of(line.payload)))
    except UnmappableEvent:
        events = []  # the handler quarantines it whole
    kept: dict[str, dict[str, Any]] | None = None
    results = []
    for event in events:
        order = f"{event.channel.value}/{event.channel_order_id}"
        history, record = repository.event_entry(event.channel.value, event.channel_order_id, event.event_id)
        if history is not None:
            results.append(_recorded(history, message_id, order, record))
            continue
        kept = repository.quarantined_message(message_id) if kept is None else kept
        entry = kept.get(message_id) or kept.get(f"{message_id}#{event.event_id}")
        if entry is None:
            return None
        results.append({"outcome": "quarantined", "reason": entry["reason"], "order": order})
    if events:
        return results
    kept = repository.quarantined_message(message_id)
    return [{"outcome": "quarantined", "reason": kept[message_id]["reason"]}] if message_id in kept else None


def _recorded(history: dict[str, Any], message_id: str, order: str, record: dict[str, Any]) -> dict[str, Any]:
    """An event in its order's history: written by this message, or by an earlier copy."""
    mine = history.get("message_id") == message_id
    ids = history.get("notification_ids", []) if mine else []
    return {
        "outcome": "recorded" if mine else "duplicate",
        "result": history["outcome"] if mine else "duplicate",
        "reason": history.get("reason", ""),
        "order": order,
        "status": record.get("status"),
        "notifications": [
            {k: n.get(k) for k in ("notification_id", "state", "language", "text")}
            for n in outbox.get_many(ids)
        ],
    }


def _report(base: dict[str, Any], results: list[dict[str, Any]]) -> dict[str, Any]:
    """One result line per input line; a message of several events lists them under "events"."""
    if len(results) == 1:
        return {**base, **results[0]}
    outcomes_seen = {result["outcome"] for result in results}
    worst = next(o for o in ("quarantined", "recorded", "duplicate") if o in outcomes_seen)
    return {**base, "outcome": worst, "events": results}


def _sent(api_url: str, line: Line) -> dict[str, Any]:
    """The line submitted: {"message_id"}, or its result line when it went no further."""
    base: dict[str, Any] = {"line": line.number, "channel": line.channel}
    if line.refusal:
        return {**base, "outcome": "refused", "reason": line.refusal}
    try:
        sent = send(api_url, line)
    except Exception as error:  # noqa: BLE001 - one line's failure is reported, the next line goes on
        return {**base, "outcome": "refused", "reason": f"could not be sent ({type(error).__name__})"}
    return {**base, **sent}


def _result(line: Line, sent: dict[str, Any], deadline: float) -> dict[str, Any]:
    """What the handler made of a sent line, waiting for it until `deadline` (monotonic)."""
    if "message_id" not in sent:
        return sent
    found = outcomes(line, sent["message_id"])
    while found is None and time.monotonic() < deadline:
        time.sleep(0.5)
        found = outcomes(line, sent["message_id"])
    if not found:
        return {**sent, "outcome": "pending", "reason": "not processed in time"}
    return _report(sent, found)


def send_all(
    api_url: str,
    lines: Iterable[Line],
    process: Callable[[], object] | None = None,
    *,
    batch: int = 10,
    wait_s: float = 30,
) -> Iterator[dict[str, Any]]:
    """Send the lines in order, `batch` at a time (one SQS batch), let `process` deliver them
    (a private stack; a running one drains its queues itself), and yield each line's result.
    Lines are processed in the order sent, so a re-send is seen as a duplicate of its first copy."""
    pending = iter(lines)
    while chunk := list(itertools.islice(pending, batch)):
        sent = [_sent(api_url, line) for line in chunk]
        if process is not None:
            process()
        deadline = time.monotonic() + wait_s
        for line, submitted in zip(chunk, sent, strict=True):
            yield _result(line, submitted, deadline)


def summary(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Lines by outcome, and whether any failed (refused, quarantined or never processed)."""
    counts = Counter(str(report["outcome"]) for report in reports)
    return {"lines": len(reports), **dict(sorted(counts.items())), "failed": sum(counts[o] for o in FAILED)}
