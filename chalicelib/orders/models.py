"""The canonical order model every channel adapter produces, and the record Haat keeps.

Plain pydantic: no AWS here. Money is integer paise; times are UTC; business dates are IST.
Money and quantities are bounded here by ceilings no handicraft order comes near (so a value can
never overflow a DynamoDB number or a report counter); the configurable, tighter business bounds
are `chalicelib.orders.limits`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

from chalicelib.registry.models import Channel

# Hard ceilings, far above any order (Rs 10 lakh crore, 1 lakh pieces, 100 lines: one DynamoDB
# transaction holds 100 items), so that a product of them still fits any number Haat stores; the
# business bounds in `limits.OrderLimits` sit well below them and give the quarantine its reason.
PAISE_CEILING = 10**15
QUANTITY_CEILING = 100_000
LINES_CEILING = 100
TITLE_CHARS = 200


def _clip(text: str) -> str:
    return text[:TITLE_CHARS]


Paise = Annotated[int, Field(ge=0, le=PAISE_CEILING)]
SignedPaise = Annotated[int, Field(ge=-PAISE_CEILING, le=PAISE_CEILING)]  # a refund can take money back
Title = Annotated[str, AfterValidator(_clip)]


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

    channel_sku: str = Field(min_length=1, max_length=120)
    sku: str = Field(default="", max_length=120)
    product_id: str = Field(default="", max_length=120)
    shg_id: str = Field(default="", max_length=80)
    district: str = Field(default="", max_length=80)
    block: str = Field(default="", max_length=80)
    craft: str = Field(default="", max_length=80)
    maker_member_ids: list[str] = Field(default_factory=list, max_length=50)
    title: Title = ""
    short_name: dict[str, str] = Field(default_factory=dict, description="per language, for SMS")
    told_member_ids: list[str] = Field(default_factory=list, description="members sent this line's SMS")
    told_as: ToldAs | None = None
    quantity: int = Field(ge=1, le=QUANTITY_CEILING)
    unit_price_paise: Paise

    @property
    def total_paise(self) -> int:
        return self.quantity * self.unit_price_paise


class Settlement(BaseModel):
    """One remittance of a channel for an order, as its settlement report states it (paise)."""

    model_config = ConfigDict(frozen=True)

    reference: str = Field(
        min_length=1, max_length=120, description="settlement id / UTR / NEFT id: applied once per order"
    )
    settled_on: date
    gross_paise: SignedPaise = 0
    commission_paise: SignedPaise = 0
    shipping_paise: SignedPaise = 0
    tcs_paise: SignedPaise = 0
    tds_paise: SignedPaise = 0
    net_paise: SignedPaise

    @property
    def fee_paise(self) -> int:
        return self.commission_paise + self.shipping_paise

    @property
    def tax_paise(self) -> int:
        """Tax withheld (TCS, TDS): the seller's credit, not a loss, when reconciling."""
        return self.tcs_paise + self.tds_paise


class OrderEvent(BaseModel):
    """What a channel said about an order, in Haat's terms (the output of every adapter)."""

    model_config = ConfigDict(frozen=True)

    event_id: str = Field(min_length=1, max_length=300, description="the dedupe key across redeliveries")
    channel: Channel
    channel_order_id: str = Field(min_length=1, max_length=160)
    kind: EventKind = EventKind.ORDER
    status: OrderStatus | None = None
    event_time: AwareDatetime
    placed_at: AwareDatetime | None = Field(
        default=None, description="when the buyer placed the order, if the channel says so in this event"
    )
    lines: list[OrderLine] = Field(default_factory=list, max_length=LINES_CEILING)
    dispatch_by: AwareDatetime | None = None
    delivery_city: str = Field(default="", max_length=100)
    delivery_pincode: str = Field(default="", max_length=12)
    payout_paise: Paise | None = None
    channel_fee_paise: Paise | None = None
    outlet_id: str = Field(default="", max_length=60, description="the mission outlet or mela (channel haat)")
    account: str = Field(
        default="",
        max_length=200,
        description="the verified sender (outlet id, ONDC bap_id); '' for channels Haat pulls",
    )
    settlement: Settlement | None = None

    @property
    def placed_no_later_than(self) -> datetime:
        """An order is never placed after anything happens to it: the channel's placement time, or
        this event's time when the event does not say."""
        return self.placed_at or self.event_time

    @property
    def total_paise(self) -> int:
        return sum(line.total_paise for line in self.lines)


class OrderRecord(BaseModel):
    """The order as Haat knows it now; stored at pk=ORDER#{channel}#{channel_order_id}, sk=ORDER.

    While status is in OPEN_STATUSES the item also carries gsi1pk="OPEN" and
    gsi1sk="{dispatch_by ISO UTC}#{channel}#{channel_order_id}" so the dispatch sweep finds due
    orders with one Query; the two attributes are removed when the order leaves those statuses.
    """

    channel: Channel
    channel_order_id: str
    status: OrderStatus
    placed_at: datetime = Field(description="the earliest placement time any of its events showed")
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
    settlements: list[Settlement] = Field(default_factory=list, description="each applied once, by reference")
    oversold_skus: list[str] = Field(default_factory=list)
    stock_taken: dict[str, int] | None = Field(
        default=None,
        description="product_id -> pieces taken from stock for this order, until given back "
        "(None: recorded before Haat kept this)",
    )
    return_requests: int = Field(default=0, description="how many times a return was asked for")
    account: str = Field(default="", description="the sender that created the order; only it may change it")
    version: int = Field(default=0, description="optimistic lock: every committed change adds one")

    @property
    def total_paise(self) -> int:
        return sum(line.total_paise for line in self.lines)
