"""Glue between Chalice requests and the orders module: webhooks in, orders and quarantine out."""

from __future__ import annotations

from typing import Any

from chalice import Chalice, Response

from chalicelib import access
from chalicelib.auth import Principal
from chalicelib.orders import repository, webhooks
from chalicelib.registry.models import Channel

MAX_ORDER_ID_BYTES = 512  # channels' order ids are short; DynamoDB refuses keys over 2 KB


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


def order(channel: str, order_id: str, principal: Principal) -> Response:
    """The order with its history and SMS texts, for a caller whose area holds every line of it."""
    access.require(principal, "orders:read")
    known = channel in set(Channel) and 0 < len(order_id.encode()) <= MAX_ORDER_ID_BYTES
    view = repository.order_view(channel, order_id) if known else None
    if view is None and access.may(principal, "orders:read", access.MISSION):
        return Response(body={"message": f"no order {channel}/{order_id}"}, status_code=404)
    access.require(principal, "orders:read", order_resource(view["order"] if view else None))
    return Response(body=view, status_code=200)


def order_resource(record: dict[str, Any] | None) -> access.Resource:
    """The places of an order's lines (an order not recorded yet belongs to the mission only)."""
    lines = (record or {}).get("lines", [])
    return access.Resource.spanning(
        access.Place(str(line.get("district", "")), str(line.get("block", "")), str(line.get("shg_id", "")))
        for line in lines
    )


def quarantine(principal: Principal) -> dict[str, Any]:
    access.require(principal, "orders:quarantine", access.MISSION)
    return {"quarantined": repository.quarantined()}
