"""The one place that knows the Meesho supplier panel's order-export headers.

Headers are matched as every import matches them (`chalicelib.imports.columns`: case, spaces and
punctuation do not matter, column order never does); the panel's own spelling slips ("Commision")
are aliases.
"""

from __future__ import annotations

from chalicelib.imports.columns import Column, Layout

# field: the MeeshoOrderRow field; header: the panel's header, as it appears in an export.
COLUMNS: tuple[Column, ...] = (
    Column("order_status", "Reason for Credit Entry", ("Order Status", "Status"), required=True),
    Column(
        "sub_order_no", "Sub Order No", ("Sub Order Number", "Suborder ID", "Sub Order ID"), required=True
    ),
    Column("order_date", "Order Date", ("Order Created Date",), required=True),
    Column("customer_state", "Customer State", ("State",), required=False),
    Column("product_name", "Product Name", ("Product",), required=False),
    Column("sku", "SKU", ("Supplier SKU", "SKU ID"), required=True),
    Column("size", "Size", (), required=False),
    Column("quantity", "Quantity", ("Qty",), required=True),
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

LAYOUT = Layout(COLUMNS)
BY_FIELD = {column.field: column for column in COLUMNS}


def field_of(header: str) -> str | None:
    """The MeeshoOrderRow field a header names, if any."""
    column = LAYOUT.column_of(header)
    return column.field if column else None
