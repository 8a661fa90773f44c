"""The mission's own outlets (district Haats, airport counters, SARAS melas): their POS or a
coordinator's phone posts one JSON document per bill event to `POST /webhooks/haat`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from chalicelib.connectors.adapters.base import describe, rupees_to_paise
from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.models import OrderEvent, OrderLine, OrderStatus
from chalicelib.registry.models import Channel


class HaatItem(BaseModel):
    sku: str = Field(min_length=1, max_length=80)
    qty: int = Field(ge=1)
    unit_price: str = Field(description="rupees, as printed on the bill")


class HaatDelivery(BaseModel):
    city: str = ""
    pincode: str = Field(default="", pattern=r"^(\d{6})?$")


class HaatBillEvent(BaseModel):
    """One bill event from an outlet (extra fields such as the buyer's name are ignored, not stored)."""

    model_config = ConfigDict(extra="ignore")

    event_id: str = Field(min_length=1, max_length=100)
    outlet_id: str = Field(pattern=r"^[A-Z0-9-]{3,40}$")
    bill_no: str = Field(min_length=1, max_length=60)
    status: OrderStatus
    occurred_at: AwareDatetime
    dispatch_by: AwareDatetime | None = None
    delivery: HaatDelivery = Field(default_factory=HaatDelivery)
    items: list[HaatItem] = Field(default_factory=list)


def to_order_events(payload: Mapping[str, Any]) -> list[OrderEvent]:
    try:
        bill = HaatBillEvent.model_validate(payload)
    except ValidationError as error:
        raise UnmappableEvent(f"haat bill event: {describe(error)}") from error
    return [
        OrderEvent(
            event_id=f"haat:{bill.outlet_id}:{bill.event_id}",
            channel=Channel.HAAT,
            channel_order_id=f"{bill.outlet_id}-{bill.bill_no}",
            status=bill.status,
            event_time=bill.occurred_at,
            dispatch_by=bill.dispatch_by,
            delivery_city=bill.delivery.city,
            delivery_pincode=bill.delivery.pincode,
            outlet_id=bill.outlet_id,
            lines=[
                OrderLine(
                    channel_sku=item.sku, quantity=item.qty, unit_price_paise=rupees_to_paise(item.unit_price)
                )
                for item in bill.items
            ],
        )
    ]
