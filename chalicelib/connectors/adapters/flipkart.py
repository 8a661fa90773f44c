"""Flipkart adapter: a shipment from the Seller API v3 search (as the poller enqueues it) in,
one OrderEvent per order and Haat status out.

The event id depends only on the order, the Haat status and the order item ids, so a re-polled
shipment in the same state always yields the same id (the consumer's dedupe key). Delivered and
return-requested can come back (a return turned down, then asked for again), so their ids also
carry the shipment's `updatedAt`: each cycle is a new event, each re-poll of it the same one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from chalicelib.connectors.flipkart.models import ItemStatus, OrderItem, Shipment
from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.models import OrderEvent, OrderLine, OrderStatus
from chalicelib.registry.models import Channel

STATUS_MAP: dict[ItemStatus, OrderStatus] = {
    ItemStatus.APPROVED: OrderStatus.ACCEPTED,
    ItemStatus.PACKING_IN_PROGRESS: OrderStatus.ACCEPTED,
    ItemStatus.FORM_FAILED: OrderStatus.ACCEPTED,
    ItemStatus.PACKED: OrderStatus.PACKED,
    ItemStatus.READY_TO_DISPATCH: OrderStatus.PACKED,
    ItemStatus.PICKUP_COMPLETE: OrderStatus.SHIPPED,
    ItemStatus.SHIPPED: OrderStatus.SHIPPED,
    ItemStatus.DELIVERED: OrderStatus.DELIVERED,
    ItemStatus.COMPLETED: OrderStatus.DELIVERED,
    ItemStatus.CANCELLED: OrderStatus.CANCELLED,
    ItemStatus.RETURN_REQUESTED: OrderStatus.RETURN_REQUESTED,
    ItemStatus.RETURNED: OrderStatus.RETURNED,
}


RECURRING = frozenset({OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED})


def event_id(order_id: str, status: OrderStatus, order_item_ids: list[str], updated_at: str = "") -> str:
    key = "|".join([order_id, status.value, *sorted(order_item_ids)])
    if status in RECURRING and updated_at:
        key += f"|{updated_at}"
    return f"flipkart:{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def _unit_price_paise(item: OrderItem) -> int:
    """priceComponents are for the whole order item; Haat keeps the price of one piece."""
    prices = item.price_components
    total = next(
        (p for p in (prices.selling_price, prices.customer_price, prices.total_price) if p is not None), None
    )
    if total is None:
        raise UnmappableEvent(f"order item {item.order_item_id} has no price")
    return int((Decimal(total) * 100 / item.quantity).to_integral_value())


def to_order_events(payload: Mapping[str, Any]) -> list[OrderEvent]:
    try:
        shipment = Shipment.model_validate(payload)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5])
        raise UnmappableEvent(f"not a Flipkart v3 shipment: {problems}") from error
    groups: dict[tuple[str, OrderStatus], list[OrderItem]] = {}
    for item in shipment.order_items:
        groups.setdefault((item.order_id, STATUS_MAP[item.status]), []).append(item)
    address = shipment.delivery_address
    events = []
    for (order_id, status), items in groups.items():
        event_time = shipment.updated_at or max(
            (t for i in items for t in (i.cancellation_date, i.order_date) if t is not None), default=None
        )
        if event_time is None:
            raise UnmappableEvent(f"shipment {shipment.shipment_id} has no updatedAt or order date")
        events.append(
            OrderEvent(
                event_id=event_id(
                    order_id,
                    status,
                    [i.order_item_id for i in items],
                    shipment.updated_at.isoformat() if shipment.updated_at else "",
                ),
                channel=Channel.FLIPKART,
                channel_order_id=order_id,
                status=status,
                event_time=event_time,
                placed_at=min((i.order_date for i in items if i.order_date is not None), default=None),
                lines=[
                    OrderLine(
                        channel_sku=i.sku,
                        title=i.title,
                        quantity=i.quantity,
                        unit_price_paise=_unit_price_paise(i),
                    )
                    for i in items
                ],
                dispatch_by=shipment.dispatch_by_date,
                delivery_city=address.city if address else "",
                delivery_pincode=address.pin_code if address else "",
            )
        )
    return events
