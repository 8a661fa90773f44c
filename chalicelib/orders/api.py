"""Glue between Chalice requests and the orders module: webhooks in, orders and quarantine out."""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Response

from chalicelib.orders import repository, webhooks


def webhook(app: Chalice, channel: str) -> Response:
    """202 with the queue message id, or the refusal's status (401/404/413) - nothing enqueued then."""
    request = app.current_request
    assert request is not None
    try:
        raw = request.raw_body or b""
        body = raw.encode() if isinstance(raw, str) else raw
        message_id = webhooks.receive(channel, dict(request.headers), body)
    except webhooks.WebhookRejected as error:
        return Response(body={"message": error.message}, status_code=error.status)
    return Response(body={"message_id": message_id}, status_code=202)


def order(channel: str, order_id: str) -> Response:
    view = repository.order_view(channel, order_id)
    if view is None:
        return Response(body={"message": f"no order {channel}/{order_id}"}, status_code=404)
    return Response(body=view, status_code=200)


def quarantine() -> dict[str, Any]:
    return {"quarantined": repository.quarantined()}
