"""The one place that knows the Meesho supplier panel's order-export headers.

A header matches a field when it equals one of the field's names after normalising: case, spaces,
punctuation and the panel's own spelling slips ("Commision") do not matter; column order never does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    field: str  # name in MeeshoOrderRow
    header: str  # the panel's header, as it appears in an export
    aliases: tuple[str, ...] = ()
    required: bool = True


COLUMNS: tuple[Column, ...] = (
    Column("order_status", "Reason for Credit Entry", ("Order Status", "Status")),
    Column("sub_order_no", "Sub Order No", ("Sub Order Number", "Suborder ID", "Sub Order ID")),
    Column("order_date", "Order Date", ("Order Created Date",)),
    Column("customer_state", "Customer State", ("State",), required=False),
    Column("product_name", "Product Name", ("Product",), required=False),
    Column("sku", "SKU", ("Supplier SKU", "SKU ID")),
    Column("size", "Size", (), required=False),
    Column("quantity", "Quantity", ("Qty",)),
    Column(
        "listed_price",
        "Supplier Listed Price (Incl. GST + Commission)",
        ("Supplier Listed Price",),
        required=False,
    ),
    Column(
        "discounted_price",
        "Supplier Discounted Price (Incl GST and Commision)",
        ("Supplier Discounted Price (Incl GST and Commission)", "Supplier Discounted Price"),
        required=False,
    ),
    Column("packet_id", "Packet Id", ("Packet ID",), required=False),
    Column("dispatch_date", "Dispatch Date", ("Dispatch By Date", "SLA Date"), required=False),
    Column("customer_city", "Customer City", ("City",), required=False),
    Column("customer_pincode", "Customer Pincode", ("Pincode", "Pin Code"), required=False),
)

BY_FIELD = {column.field: column for column in COLUMNS}


def normalise(header: str) -> str:
    """'  Supplier Listed Price (Incl. GST + Commission) ' -> 'supplierlistedpriceinclgstcommission'."""
    return re.sub(r"[^0-9a-z\u0900-\u097f]", "", header.lower()).replace("commision", "commission")


_LOOKUP = {normalise(name): column.field for column in COLUMNS for name in (column.header, *column.aliases)}


def field_of(header: str) -> str | None:
    """The MeeshoOrderRow field a header names, if any."""
    return _LOOKUP.get(normalise(header))


@dataclass(frozen=True)
class HeaderMap:
    """Which file column holds which field; `headers` keeps the file's own spelling for messages."""

    index_of: dict[str, int]
    headers: dict[str, str]
    missing: tuple[str, ...]
    duplicated: tuple[str, ...]


def map_headers(headers: list[str]) -> HeaderMap:
    index_of: dict[str, int] = {}
    names: dict[str, str] = {}
    duplicated = []
    for index, header in enumerate(headers):
        field = field_of(header)
        if field is None:
            continue
        if field in index_of:
            duplicated.append(header.strip())
            continue
        index_of[field] = index
        names[field] = header.strip()
    missing = tuple(c.header for c in COLUMNS if c.required and c.field not in index_of)
    return HeaderMap(index_of, names, missing, tuple(duplicated))
