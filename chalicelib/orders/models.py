"""The canonical order model every channel adapter produces, and the record Haat keeps.

Plain pydantic: no AWS here. Money is integer paise; times are UTC; business dates are IST.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from chalicelib.registry.models import Channel


class OrderStatus(StrEnum):
    PLACED = "placed"
    ACCEPTED = "accepted"
    PACKED = "packed"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURN_REQUESTED = "return_requested"
    RETURNED = "returned"


# Statuses in which the SHG still has to dispatch: these orders sit in the "open" index.
OPEN_STATUSES = frozenset({OrderStatus.PLACED, OrderStatus.ACCEPTED, OrderStatus.PACKED})


class EventKind(StrEnum):
    ORDER = "order"  # a new order or a status change
    PAYOUT = "payout"  # a settlement from the channel for an order


class ToldAs(StrEnum):
    """Why these members were told of an order line (kept on the record: who was told, and why)."""

    MAKERS = "makers"  # the product's makers, as the registry lists them
    SHG_ARTISANS = "shg_artisans"  # no makers listed: every artisan of the SHG
    COORDINATOR = "coordinator"  # no artisans either: the SHG's coordinator
    SHG_MEMBERS = "shg_members"  # no coordinator either: whoever the SHG has
    NOBODY = "nobody"  # the SHG has no members in the registry


class OrderLine(BaseModel):
    """One SKU of an order, resolved against the registry (SKU -> product -> SHG -> makers)."""

    model_config = ConfigDict(frozen=True)

    channel_sku: str
    sku: str = ""
    product_id: str = ""
    shg_id: str = ""
    district: str = ""
    block: str = ""
    craft: str = ""
    maker_member_ids: list[str] = Field(default_factory=list)
    title: str = ""
    short_name: dict[str, str] = Field(default_factory=dict, description="per language, for SMS")
    told_member_ids: list[str] = Field(default_factory=list, description="members sent this line's SMS")
    told_as: ToldAs | None = None
    quantity: int = Field(ge=1)
    unit_price_paise: int = Field(ge=0)

    @property
    def total_paise(self) -> int:
        return self.quantity * self.unit_price_paise


class OrderEvent(BaseModel):
    """What a channel said about an order, in Haat's terms (the output of every adapter)."""

    model_config = ConfigDict(frozen=True)

    event_id: str = Field(description="stable id of this event: the dedupe key across redeliveries")
    channel: Channel
    channel_order_id: str
    kind: EventKind = EventKind.ORDER
    status: OrderStatus | None = None
    event_time: AwareDatetime
    lines: list[OrderLine] = Field(default_factory=list)
    dispatch_by: AwareDatetime | None = None
    delivery_city: str = ""
    delivery_pincode: str = ""
    payout_paise: int | None = None
    channel_fee_paise: int | None = None
    outlet_id: str = Field(default="", description="the mission outlet or mela (channel haat)")


class OrderRecord(BaseModel):
    """The order as Haat knows it now; stored at pk=ORDER#{channel}#{channel_order_id}, sk=ORDER.

    While status is in OPEN_STATUSES the item also carries gsi1pk="OPEN" and
    gsi1sk="{dispatch_by ISO UTC}#{channel}#{channel_order_id}" so the dispatch sweep finds due
    orders with one Query; the two attributes are removed when the order leaves those statuses.
    """

    channel: Channel
    channel_order_id: str
    status: OrderStatus
    placed_at: datetime
    last_event_time: datetime
    dispatch_by: datetime | None = None
    lines: list[OrderLine]
    delivery_city: str = ""
    delivery_pincode: str = ""
    outlet_id: str = ""
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    payout_paise: int | None = None
    channel_fee_paise: int | None = None
    oversold_skus: list[str] = Field(default_factory=list)
    version: int = Field(default=0, description="optimistic lock: every committed change adds one")

    @property
    def total_paise(self) -> int:
        return sum(line.total_paise for line in self.lines)
