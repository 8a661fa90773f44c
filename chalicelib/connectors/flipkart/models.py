"""Flipkart Seller API v3 shapes, as documented by Flipkart's own SDK
(github.com/Flipkart/flipkart-seller-api-java-sdk: docs/Filter.md, SearchShipmentRequest.md,
SearchShipmentResponse.md, Shipment.md, OrderItem.md, PriceComponent.md, Address.md).

Only the fields Haat reads are declared; unknown fields are ignored so that Flipkart adding a field
never breaks ingestion. No AWS here.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class FlipkartModel(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class SearchType(StrEnum):
    """Filter.type: which lifecycle bucket a search covers."""

    PRE_DISPATCH = "preDispatch"
    POST_DISPATCH = "postDispatch"
    CANCELLED = "cancelled"


class ItemStatus(StrEnum):
    APPROVED = "APPROVED"
    PACKING_IN_PROGRESS = "PACKING_IN_PROGRESS"
    FORM_FAILED = "FORM_FAILED"
    PACKED = "PACKED"
    READY_TO_DISPATCH = "READY_TO_DISPATCH"
    PICKUP_COMPLETE = "PICKUP_COMPLETE"
    CANCELLED = "CANCELLED"
    RETURN_REQUESTED = "RETURN_REQUESTED"
    RETURNED = "RETURNED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    COMPLETED = "COMPLETED"


# Filter.states each search type asks for.
STATES_OF: dict[SearchType, tuple[ItemStatus, ...]] = {
    SearchType.PRE_DISPATCH: (
        ItemStatus.APPROVED,
        ItemStatus.PACKING_IN_PROGRESS,
        ItemStatus.FORM_FAILED,
        ItemStatus.PACKED,
        ItemStatus.READY_TO_DISPATCH,
    ),
    SearchType.POST_DISPATCH: (
        ItemStatus.PICKUP_COMPLETE,
        ItemStatus.SHIPPED,
        ItemStatus.DELIVERED,
        ItemStatus.COMPLETED,
        ItemStatus.RETURN_REQUESTED,
        ItemStatus.RETURNED,
    ),
    SearchType.CANCELLED: (ItemStatus.CANCELLED,),
}


class TokenResponse(FlipkartModel):
    """GET /oauth-service/oauth/token?grant_type=client_credentials&scope=Seller_Api."""

    access_token: str = Field(min_length=1)
    token_type: str = "bearer"  # noqa: S105 - the token scheme, not a secret
    expires_in: int = Field(gt=0)
    scope: str = ""


class DateFilter(FlipkartModel):
    from_: datetime = Field(alias="from")
    to: datetime


class Filter(FlipkartModel):
    type: SearchType
    states: list[ItemStatus] = Field(default_factory=list)
    modified_date: DateFilter | None = Field(default=None, alias="modifiedDate")
    cancellation_date: DateFilter | None = Field(default=None, alias="cancellationDate")


class Pagination(FlipkartModel):
    page_size: int = Field(alias="pageSize", ge=1, le=20)


class SearchShipmentRequest(FlipkartModel):
    """POST /sellers/v3/shipments/filter/ body."""

    filter: Filter
    pagination: Pagination


class PriceComponents(FlipkartModel):
    """Rupees as decimals, for the whole order item (all units)."""

    selling_price: Decimal | None = Field(default=None, alias="sellingPrice")
    total_price: Decimal | None = Field(default=None, alias="totalPrice")
    shipping_charge: Decimal | None = Field(default=None, alias="shippingCharge")
    customer_price: Decimal | None = Field(default=None, alias="customerPrice")
    flipkart_discount: Decimal | None = Field(default=None, alias="flipkartDiscount")


class OrderItem(FlipkartModel):
    order_item_id: str = Field(alias="orderItemId", min_length=1)
    order_id: str = Field(alias="orderId", min_length=1)
    order_date: AwareDatetime | None = Field(default=None, alias="orderDate")
    cancellation_date: AwareDatetime | None = Field(default=None, alias="cancellationDate")
    payment_type: str = Field(default="", alias="paymentType")
    status: ItemStatus
    cancellation_reason: str = Field(default="", alias="cancellationReason")
    quantity: int = Field(ge=1)
    fsn: str = ""
    sku: str = Field(min_length=1)
    listing_id: str = Field(default="", alias="listingId")
    hsn: str = ""
    title: str = ""
    price_components: PriceComponents = Field(default_factory=PriceComponents, alias="priceComponents")


class DeliveryAddress(FlipkartModel):
    """The part of Flipkart's Address that dispatch needs; names, lines and phone are never kept."""

    city: str = ""
    state: str = ""
    pin_code: str = Field(default="", alias="pinCode")


class Shipment(FlipkartModel):
    shipment_id: str = Field(alias="shipmentId", min_length=1)
    dispatch_by_date: AwareDatetime | None = Field(default=None, alias="dispatchByDate")
    dispatch_after_date: AwareDatetime | None = Field(default=None, alias="dispatchAfterDate")
    updated_at: AwareDatetime | None = Field(default=None, alias="updatedAt")
    location_id: str = Field(default="", alias="locationId")
    hold: bool = False
    order_items: list[OrderItem] = Field(alias="orderItems", min_length=1)
    shipment_type: str = Field(default="", alias="shipmentType")
    # Not part of the search response: the poller adds it from GET /v3/shipments/{ids}.
    delivery_address: DeliveryAddress | None = Field(default=None, alias="deliveryAddress")


class SearchShipmentResponse(FlipkartModel):
    """One page of a search. Shipments stay raw JSON here: each one travels to the queue as it came
    and is validated by the adapter, so one malformed shipment is quarantined alone."""

    has_more: bool = Field(default=False, alias="hasMore")
    next_page_url: str | None = Field(default=None, alias="nextPageUrl")
    shipments: list[dict[str, Any]] = Field(default_factory=list)


class ShipmentDetails(FlipkartModel):
    shipment_id: str = Field(alias="shipmentId")
    delivery_address: DeliveryAddress | None = Field(default=None, alias="deliveryAddress")


class ShipmentDetailsResponse(FlipkartModel):
    """GET /sellers/v3/shipments/{shipmentIds}."""

    shipments: list[ShipmentDetails] = Field(default_factory=list)
