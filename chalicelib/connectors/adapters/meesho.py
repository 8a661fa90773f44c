"""Meesho adapter: a chunk of supplier-panel export rows (as the CSV import enqueues them) in,
one OrderEvent per row out.

The export has no event time for a status, so a PENDING row's event time is its order date and
any later status is dated when Haat imported it; the order date is always its placement (an order
of 22 Nov first imported as SHIPPED on 23 Nov counts on 22 Nov). The event id depends only on the
sub-order number and the Haat status: re-importing the same or an overlapping export yields the
same ids.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from chalicelib.connectors.meesho.models import MeeshoImportMessage, MeeshoOrderRow, row_fields
from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.models import OrderEvent, OrderLine, OrderStatus
from chalicelib.registry.models import Channel


def event_id(sub_order_no: str, status: OrderStatus) -> str:
    key = f"{sub_order_no}|{status.value}"
    return f"meesho:{hashlib.sha256(key.encode()).hexdigest()[:40]}"


def _summary(error: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:5])


def to_order_events(payload: Mapping[str, Any]) -> list[OrderEvent]:
    try:
        message = MeeshoImportMessage.model_validate(payload)
        rows = [MeeshoOrderRow.model_validate(row_fields(row)) for row in message.rows]
    except ValidationError as error:
        raise UnmappableEvent(f"not a Meesho export chunk: {_summary(error)}") from error
    return [
        OrderEvent(
            event_id=event_id(row.sub_order_no, row.status),
            channel=Channel.MEESHO,
            channel_order_id=row.sub_order_no,
            status=row.status,
            event_time=row.order_date if row.status is OrderStatus.PLACED else message.imported_at,
            placed_at=row.order_date,
            lines=[
                OrderLine(
                    channel_sku=row.sku,
                    title=row.product_name,
                    quantity=row.quantity,
                    unit_price_paise=row.unit_price_paise,
                )
            ],
            dispatch_by=row.dispatch_by(message.dispatch_cutoff_ist),
            delivery_city=row.customer_city,
            delivery_pincode=row.customer_pincode,
        )
        for row in rows
    ]
