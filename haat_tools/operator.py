"""Send order events through the real path and report what became of each (the CLI and the demo).

Webhook channels get signed requests to the API (local or a deployed stage); Amazon notifications go
straight to the order-events queue, as Amazon delivers them. Outcomes are read back from the
orders table: the history entry written by *this* message, the quarantine, or neither (a duplicate).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.connectors.adapters import adapter_for
from chalicelib.notify import outbox
from chalicelib.orders import repository
from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.webhooks import VERIFIERS
from haat_tools import webhook_client

QUEUE_CHANNELS = frozenset({"amazon"})


def parse_lines(lines: Iterable[str]) -> list[dict[str, Any]]:
    """JSON lines of {"channel": ..., "payload": {...}}; blank lines are skipped."""
    return [json.loads(line) for line in lines if line.strip()]


def send(api_url: str, channel: str, payload: Any, outlet_id: str = "") -> dict[str, Any]:
    """Submit one event; {"message_id"} when accepted, {"outcome": "rejected", ...} when refused.

    A string payload is sent verbatim (that is how to send a malformed body on purpose; give the
    haat outlet that signs it as `outlet_id`).
    """
    body = payload.encode() if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False).encode()
    if channel in QUEUE_CHANNELS:
        response = aws.client("sqs").send_message(
            QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE), MessageBody=body.decode()
        )
        return {"message_id": response["MessageId"]}
    headers = (
        webhook_client.signed_headers(
            channel, body, payload if isinstance(payload, dict) else {"outlet_id": outlet_id}
        )
        if channel in VERIFIERS
        else {"Content-Type": "application/json"}
    )
    status, answer = webhook_client.post(api_url, channel, body, headers)
    if status != 202:
        return {"outcome": "rejected", "http_status": status, "reason": answer.get("message", "")}
    return {"message_id": answer["message_id"]}


def outcomes(channel: str, payload: Any, message_id: str) -> list[dict[str, Any]] | None:
    """One result per event of the message, or None while it is not processed yet."""
    kept = next((q for q in repository.quarantined(limit=1000) if q["message_id"] == message_id), None)
    if kept is not None:
        return [{"outcome": "quarantined", "reason": kept["reason"]}]
    if not isinstance(payload, dict):
        return None
    try:
        events = adapter_for(channel)(payload)
    except UnmappableEvent:
        return None
    results = []
    for event in events:
        view = repository.order_view(event.channel.value, event.channel_order_id)
        entry = next((h for h in (view or {}).get("history", []) if h["event_id"] == event.event_id), None)
        if entry is None:
            return None
        mine = entry.get("message_id") == message_id
        ids = entry.get("notification_ids", []) if mine else []
        results.append(
            {
                "outcome": "recorded" if mine else "duplicate",
                "result": entry["outcome"] if mine else "duplicate",
                "reason": entry.get("reason", ""),
                "order": f"{event.channel.value}/{event.channel_order_id}",
                "status": ((view or {}).get("order") or {}).get("status"),
                "notifications": [
                    {k: n.get(k) for k in ("notification_id", "state", "language", "text")}
                    for n in outbox.get_many(ids)
                ],
            }
        )
    return results


def send_all(
    api_url: str,
    events: list[dict[str, Any]],
    process: Callable[[], object] | None = None,
    *,
    wait_s: float = 30,
) -> list[dict[str, Any]]:
    """Send every event in order (processing after each, so duplicates are seen as such), then report."""
    reports: list[dict[str, Any]] = []
    for index, line in enumerate(events):
        channel, payload = str(line.get("channel", "")), line.get("payload")
        sent = send(api_url, channel, payload, str(line.get("outlet_id", "")))
        base = {"line": index + 1, "channel": channel}
        if "message_id" not in sent:
            reports.append({**base, **sent})
            continue
        if process is not None:
            process()
        deadline = time.monotonic() + wait_s
        found = outcomes(channel, payload, sent["message_id"])
        while found is None and time.monotonic() < deadline:
            time.sleep(0.5)
            found = outcomes(channel, payload, sent["message_id"])
        for result in found or [{"outcome": "pending"}]:
            reports.append({**base, "message_id": sent["message_id"], **result})
    return reports
