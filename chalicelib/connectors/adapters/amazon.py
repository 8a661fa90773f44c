"""Amazon SP-API `ORDER_CHANGE` notifications, delivered by Amazon straight to the order-events queue.

Shape: selling-partner-api-models schemas/notifications/OrderChangeNotification.json. The
notification carries no prices; lines get unit price 0 and the handler prices them from the registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from chalicelib.connectors.adapters.base import describe
from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.models import OrderEvent, OrderLine, OrderStatus
from chalicelib.registry.models import Channel

STATUS: dict[str, OrderStatus] = {
    "Pending": OrderStatus.PLACED,
    "PendingAvailability": OrderStatus.PLACED,
    "Unshipped": OrderStatus.ACCEPTED,
    "InvoiceUnconfirmed": OrderStatus.ACCEPTED,
    "PartiallyShipped": OrderStatus.PACKED,
    "Shipped": OrderStatus.SHIPPED,
    "Canceled": OrderStatus.CANCELLED,
    "Unfulfillable": OrderStatus.CANCELLED,
}


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AmazonOrderItem(Model):
    OrderItemId: str = Field(max_length=64)
    SellerSKU: str = Field(min_length=1, max_length=80)
    Quantity: int = Field(ge=1)


class OrderSummary(Model):
    OrderStatus: str
    PurchaseDate: AwareDatetime | None = None
    DestinationPostalCode: str = ""
    FulfillmentType: str = "MFN"
    LatestShipDate: AwareDatetime | None = None
    OrderItems: list[AmazonOrderItem] = Field(default_factory=list)


class ChangeTrigger(Model):
    TimeOfOrderChange: AwareDatetime | None = None
    ChangeReason: str = ""


class OrderChange(Model):
    AmazonOrderId: str = Field(min_length=1, max_length=64)
    OrderChangeType: str
    OrderChangeTrigger: ChangeTrigger = Field(default_factory=ChangeTrigger)
    Summary: OrderSummary


class ChangePayload(Model):
    OrderChangeNotification: OrderChange


class Metadata(Model):
    NotificationId: str = Field(min_length=1, max_length=128)
    PublishTime: AwareDatetime | None = None


class OrderChangeEnvelope(Model):
    NotificationType: str
    EventTime: AwareDatetime
    Payload: ChangePayload
    NotificationMetadata: Metadata


def to_order_events(payload: Mapping[str, Any]) -> list[OrderEvent]:
    try:
        envelope = OrderChangeEnvelope.model_validate(payload)
    except ValidationError as error:
        raise UnmappableEvent(f"amazon notification: {describe(error)}") from error
    if envelope.NotificationType != "ORDER_CHANGE":
        raise UnmappableEvent(f"amazon notification type {envelope.NotificationType} is not handled")
    change = envelope.Payload.OrderChangeNotification
    status = STATUS.get(change.Summary.OrderStatus)
    if status is None:
        raise UnmappableEvent(f"amazon order status {change.Summary.OrderStatus!r} is not mapped")
    event_time: datetime = change.OrderChangeTrigger.TimeOfOrderChange or envelope.EventTime
    return [
        OrderEvent(
            event_id=f"amazon:{envelope.NotificationMetadata.NotificationId}",
            channel=Channel.AMAZON,
            channel_order_id=change.AmazonOrderId,
            status=status,
            event_time=event_time,
            placed_at=change.Summary.PurchaseDate,
            dispatch_by=change.Summary.LatestShipDate,
            delivery_pincode=change.Summary.DestinationPostalCode,
            lines=[
                OrderLine(channel_sku=item.SellerSKU, quantity=item.Quantity, unit_price_paise=0)
                for item in change.Summary.OrderItems
            ],
        )
    ]
