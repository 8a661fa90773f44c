"""One row of the Meesho supplier panel's order export, validated; and the queue message shape.

No AWS here: the importer and the `meesho` channel adapter both use these models.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from chalicelib.calendar import IST
from chalicelib.connectors.meesho.columns import BY_FIELD, field_of
from chalicelib.orders.models import OrderStatus

# The panel's order states ("Reason for Credit Entry" / tab names) in Haat's terms.
STATUS_MAP: dict[str, OrderStatus] = {
    "PENDING": OrderStatus.PLACED,
    "HOLD": OrderStatus.PLACED,
    "ON_HOLD": OrderStatus.PLACED,
    "ACCEPTED": OrderStatus.ACCEPTED,
    "READY_TO_SHIP": OrderStatus.PACKED,
    "SHIPPED": OrderStatus.SHIPPED,
    "DELIVERED": OrderStatus.DELIVERED,
    "CANCELLED": OrderStatus.CANCELLED,
    "RTO_INITIATED": OrderStatus.RETURN_REQUESTED,
    "RETURN_REQUESTED": OrderStatus.RETURN_REQUESTED,
    "RTO_LOCKED": OrderStatus.RETURNED,
    "RTO_COMPLETE": OrderStatus.RETURNED,
    "RTO": OrderStatus.RETURNED,
    "RETURN": OrderStatus.RETURNED,
    "RETURNED": OrderStatus.RETURNED,
}

_DATE_FORMATS = ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%d-%m-%Y", "%m/%d/%Y", "%d %b %Y")


def parse_panel_date(value: str) -> datetime:
    """A panel date or datetime as an aware datetime (naive values are India time)."""
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        for fmt in _DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)  # naive panel times are IST (below)
                break
            except ValueError:
                continue
        else:
            raise ValueError("not a date (use YYYY-MM-DD, DD-MM-YYYY or the panel's MM/DD/YYYY)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=IST)


def _rupees(value: str) -> Decimal | None:
    text = value.replace("₹", "").replace(",", "").replace("Rs.", "").strip()
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("not an amount in rupees") from None
    if amount < 0 or not amount.is_finite():
        raise ValueError("must be a positive amount in rupees")
    return amount


class MeeshoOrderRow(BaseModel):
    """A valid export row. Customer data beyond state, city and pincode is never read."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    order_status: str
    sub_order_no: str = Field(pattern=r"^[A-Za-z0-9_-]{3,64}$")
    order_date: AwareDatetime
    customer_state: str = Field(default="", max_length=80)
    product_name: str = Field(default="", max_length=500)
    sku: str = Field(min_length=1, max_length=80)
    size: str = Field(default="", max_length=40)
    quantity: int = Field(ge=1, le=10_000)
    listed_price: Decimal | None = None
    discounted_price: Decimal | None = None
    packet_id: str = Field(default="", max_length=64)
    dispatch_date: AwareDatetime | None = None
    customer_city: str = Field(default="", max_length=80)
    customer_pincode: str = Field(default="", pattern=r"^(\d{6})?$")

    @field_validator("order_status", mode="before")
    @classmethod
    def _known_status(cls, value: Any) -> str:
        status = re.sub(r"[^A-Z]+", "_", str(value).upper()).strip("_")
        if status not in STATUS_MAP:
            raise ValueError(f"unknown order status {str(value)[:40]!r}")
        return status

    @field_validator("order_date", "dispatch_date", mode="before")
    @classmethod
    def _panel_date(cls, value: Any) -> Any:
        if isinstance(value, str):
            return parse_panel_date(value) if value.strip() else None
        return value

    @field_validator("quantity", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip().isdigit():
            raise ValueError("must be a whole number of pieces")
        return value

    @field_validator("listed_price", "discounted_price", mode="before")
    @classmethod
    def _price(cls, value: Any) -> Any:
        return _rupees(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _has_price(self) -> MeeshoOrderRow:
        if self.discounted_price is None and self.listed_price is None:
            raise ValueError("needs a supplier discounted or listed price")
        return self

    @property
    def status(self) -> OrderStatus:
        return STATUS_MAP[self.order_status]

    @property
    def unit_price_paise(self) -> int:
        price = self.discounted_price if self.discounted_price is not None else self.listed_price
        return int((Decimal(price or 0) * 100).to_integral_value())

    def dispatch_by(self, cutoff: time) -> datetime | None:
        """The panel's dispatch date at the day's cut-off time (India time)."""
        if self.dispatch_date is None:
            return None
        day: date = self.dispatch_date.astimezone(IST).date()
        return datetime.combine(day, cutoff, tzinfo=IST)


def row_fields(row: dict[str, Any]) -> dict[str, Any]:
    """Panel headers (any spelling) -> MeeshoOrderRow field names; unknown columns are dropped."""
    fields = {}
    for header, value in row.items():
        field = field_of(str(header))
        if field is not None and field not in fields:
            fields[field] = value
    return fields


def as_panel_row(raw: dict[str, str]) -> dict[str, str]:
    """A row for the queue: the panel's own headers and the file's own values, known columns only."""
    return {BY_FIELD[field].header: value for field, value in raw.items() if field in BY_FIELD}


class MeeshoImportMessage(BaseModel):
    """Body of a `meesho` message on the order-events queue: a chunk of one import's rows."""

    import_id: str
    imported_at: AwareDatetime
    dispatch_cutoff_ist: time = time(17, 30)  # MEESHO_DISPATCH_CUTOFF_IST when imported
    rows: list[dict[str, str]] = Field(min_length=1)
