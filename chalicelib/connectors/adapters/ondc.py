"""ONDC seller-app callbacks (`on_confirm`, `on_status`, `on_cancel`, `on_update`) in the
retail protocol's shape (ONDC-Official/protocol-network-extension, retail v1.2): `context` plus
`message.order` with items, fulfillments and a quote breakup in rupee strings."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import AliasChoices, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from chalicelib.connectors.adapters.base import describe, rupees_to_paise
from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.models import OrderEvent, OrderLine, OrderStatus
from chalicelib.registry.models import Channel

ORDER_STATE: dict[str, OrderStatus] = {
    "Created": OrderStatus.PLACED,
    "Accepted": OrderStatus.ACCEPTED,
    "In-progress": OrderStatus.ACCEPTED,
    "Completed": OrderStatus.DELIVERED,
    "Cancelled": OrderStatus.CANCELLED,
}
# While the order is In-progress, the fulfillment state says how far it got.
FULFILLMENT_STATE: dict[str, OrderStatus] = {
    "Pending": OrderStatus.ACCEPTED,
    "Packed": OrderStatus.PACKED,
    "Agent-assigned": OrderStatus.PACKED,
    "Order-picked-up": OrderStatus.SHIPPED,
    "Out-for-delivery": OrderStatus.SHIPPED,
    "Order-delivered": OrderStatus.DELIVERED,
    "RTO-Initiated": OrderStatus.RETURN_REQUESTED,
    "RTO-Delivered": OrderStatus.RETURNED,
    "Cancelled": OrderStatus.CANCELLED,
}
ACTIONS = frozenset({"on_confirm", "on_status", "on_cancel", "on_update"})


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Context(Model):
    domain: str
    action: str
    bap_id: str = Field(default="", max_length=200)
    bpp_id: str = ""
    transaction_id: str = Field(max_length=128)
    message_id: str = Field(min_length=1, max_length=128)
    timestamp: AwareDatetime


class Count(Model):
    count: int = Field(ge=1)


class Item(Model):
    id: str = Field(min_length=1, max_length=80)
    quantity: Count
    fulfillment_id: str = ""


class Descriptor(Model):
    code: str


class FulfillmentState(Model):
    descriptor: Descriptor


class TimeRange(Model):
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None


class Time(Model):
    range: TimeRange | None = None


class Address(Model):
    city: str = ""
    area_code: str = ""


class Location(Model):
    address: Address = Field(default_factory=Address)


class Stop(Model):
    time: Time | None = None
    location: Location | None = None


class Fulfillment(Model):
    id: str
    type: str = "Delivery"
    state: FulfillmentState | None = None
    start: Stop | None = None
    end: Stop | None = None


class Price(Model):
    currency: str = "INR"
    value: str


class BreakupItem(Model):
    price: Price


class Breakup(Model):
    item_id: str = Field(validation_alias=AliasChoices("@ondc/org/item_id", "item_id"))
    title_type: str = Field(validation_alias=AliasChoices("@ondc/org/title_type", "title_type"))
    item_quantity: Count | None = Field(
        default=None, validation_alias=AliasChoices("@ondc/org/item_quantity", "item_quantity")
    )
    price: Price
    item: BreakupItem | None = None


class Quote(Model):
    price: Price
    breakup: list[Breakup] = Field(default_factory=list)


class Order(Model):
    id: str = Field(min_length=1, max_length=128)
    state: str
    items: list[Item] = Field(default_factory=list)
    fulfillments: list[Fulfillment] = Field(default_factory=list)
    quote: Quote | None = None
    created_at: AwareDatetime | None = None
    updated_at: AwareDatetime | None = None


class Message(Model):
    order: Order


class OndcCallback(Model):
    context: Context
    message: Message


def _status(order: Order) -> OrderStatus:
    if order.state == "In-progress":
        for fulfillment in order.fulfillments:
            if fulfillment.state and fulfillment.state.descriptor.code in FULFILLMENT_STATE:
                return FULFILLMENT_STATE[fulfillment.state.descriptor.code]
    status = ORDER_STATE.get(order.state)
    if status is None:
        raise UnmappableEvent(f"ondc order state {order.state!r} is not mapped")
    return status


def _unit_prices(quote: Quote | None) -> dict[str, int]:
    prices: dict[str, int] = {}
    for row in quote.breakup if quote else []:
        if row.title_type != "item":
            continue
        if row.item is not None:
            prices[row.item_id] = rupees_to_paise(row.item.price.value)
        else:
            count = row.item_quantity.count if row.item_quantity else 1
            prices[row.item_id] = rupees_to_paise(row.price.value) // count
    return prices


def to_order_events(payload: Mapping[str, Any]) -> list[OrderEvent]:
    try:
        callback = OndcCallback.model_validate(payload)
    except ValidationError as error:
        raise UnmappableEvent(f"ondc callback: {describe(error)}") from error
    context, order = callback.context, callback.message.order
    if context.action not in ACTIONS:
        raise UnmappableEvent(f"ondc action {context.action!r} carries no order state")
    prices = _unit_prices(order.quote)
    delivery = next((f for f in order.fulfillments if f.type == "Delivery"), None)
    pickup_window = delivery.start.time.range if delivery and delivery.start and delivery.start.time else None
    address = delivery.end.location.address if delivery and delivery.end and delivery.end.location else None
    event_time: datetime = order.updated_at or context.timestamp
    return [
        OrderEvent(
            event_id=f"ondc:{context.bap_id}:{context.action}:{context.message_id}",
            channel=Channel.ONDC,
            channel_order_id=order.id,
            status=_status(order),
            event_time=event_time,
            placed_at=order.created_at,
            dispatch_by=pickup_window.end if pickup_window else None,
            delivery_city=address.city if address else "",
            delivery_pincode=address.area_code if address else "",
            lines=[
                OrderLine(
                    channel_sku=item.id, quantity=item.quantity.count, unit_price_paise=prices.get(item.id, 0)
                )
                for item in order.items
            ],
        )
    ]
