"""The Flipkart and Meesho adapters on the payloads the connectors enqueue (no AWS involved)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.connectors.adapters import flipkart, meesho
from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.models import OrderStatus
from chalicelib.registry.models import Channel
from haat_tools.local import flipkart_standin as standin
from haat_tools.local.stack import PROJECT_DIR

AT = datetime(2026, 11, 20, 6, 15, tzinfo=UTC)


def sample_shipment() -> dict[str, Any]:
    page = json.loads((PROJECT_DIR / "events" / "flipkart" / "shipments_filter_response.json").read_text())
    return {
        **page["shipments"][0],
        "deliveryAddress": {"city": "Srinagar", "state": "J&K", "pinCode": "190001"},
    }


def test_flipkart_shipment_becomes_one_canonical_event() -> None:
    [event] = flipkart.to_order_events(sample_shipment())

    assert event.channel is Channel.FLIPKART
    assert (event.channel_order_id, event.status) == ("OD336418906123456100", OrderStatus.ACCEPTED)
    assert event.event_time == AT
    assert event.dispatch_by == datetime(2026, 11, 22, 6, 15, tzinfo=UTC)
    assert (event.delivery_city, event.delivery_pincode) == ("Srinagar", "190001")
    [line] = event.lines
    assert (line.channel_sku, line.quantity, line.unit_price_paise) == ("FK-SGR-SOZ-STOLE-01", 1, 125000)


def test_flipkart_price_is_per_piece_and_event_id_depends_only_on_order_state() -> None:
    two = standin.shipment("S1", "OD1", "FK-X", updated_at=AT, quantity=2, selling_price="3600.00")
    later = standin.shipment(
        "S1", "OD1", "FK-X", updated_at=AT.replace(hour=9), quantity=2, selling_price="3600"
    )
    packed = standin.shipment("S1", "OD1", "FK-X", status="PACKED", updated_at=AT, quantity=2)

    [first] = flipkart.to_order_events(two)
    assert first.lines[0].unit_price_paise == 180000
    assert flipkart.to_order_events(later)[0].event_id == first.event_id
    assert flipkart.to_order_events(packed)[0].event_id != first.event_id


def test_flipkart_items_of_one_shipment_in_different_states_are_separate_events() -> None:
    shipment = standin.shipment("S1", "OD1", "FK-X", updated_at=AT)
    cancelled = {**shipment["orderItems"][0], "orderItemId": "OD1-2", "status": "CANCELLED", "sku": "FK-Y"}
    shipment["orderItems"].append(cancelled)

    events = flipkart.to_order_events(shipment)

    assert sorted((e.status, e.lines[0].channel_sku) for e in events) == [
        (OrderStatus.ACCEPTED, "FK-X"),
        (OrderStatus.CANCELLED, "FK-Y"),
    ]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"shipmentId": "S1", "orderItems": []},
        {"shipmentId": "S1", "orderItems": [{"orderItemId": "1", "orderId": "OD1", "status": "TELEPORTED"}]},
    ],
)
def test_flipkart_payloads_that_are_not_shipments_are_unmappable(payload: dict[str, Any]) -> None:
    with pytest.raises(UnmappableEvent):
        flipkart.to_order_events(payload)


def test_meesho_rows_keep_their_panel_headers_and_map_per_row() -> None:
    payload = {
        "import_id": "i1",
        "imported_at": "2026-11-21T04:00:00Z",
        "rows": [
            {
                "Reason for Credit Entry": "PENDING",
                "Sub Order No": "111_1",
                "Order Date": "2026-11-20",
                "SKU": "MS-SGR-PM-BOX-02",
                "Quantity": "1",
                "Supplier Listed Price (Incl. GST + Commission)": "1800",
                "Dispatch Date": "2026-11-22",
                "Customer Pincode": "560034",
            },
            {
                "reason for credit entry": "shipped",
                "SUB ORDER NO": "112_1",
                "order date": "20-11-2026",
                "sku": "MS-BDG-WWC-TRAY-01",
                "quantity": "3",
                "Supplier Discounted Price (Incl GST and Commision)": "₹4,200.50",
            },
        ],
    }

    placed, shipped = meesho.to_order_events(payload)

    assert (placed.status, placed.event_time.isoformat()) == (OrderStatus.PLACED, "2026-11-20T00:00:00+05:30")
    assert placed.dispatch_by is not None
    assert placed.dispatch_by.isoformat() == "2026-11-22T17:30:00+05:30"
    assert placed.delivery_pincode == "560034"
    assert (shipped.status, shipped.event_time) == (
        OrderStatus.SHIPPED,
        datetime(2026, 11, 21, 4, tzinfo=UTC),
    )
    assert (shipped.lines[0].quantity, shipped.lines[0].unit_price_paise) == (3, 420050)
    assert meesho.event_id("111_1", OrderStatus.PLACED) == placed.event_id


def test_meesho_chunk_with_a_bad_row_is_unmappable() -> None:
    with pytest.raises(UnmappableEvent, match=r"Quantity|quantity"):
        meesho.to_order_events(
            {
                "import_id": "i1",
                "imported_at": "2026-11-21T04:00:00Z",
                "rows": [{"Reason for Credit Entry": "PENDING", "Sub Order No": "1_1", "Quantity": "x"}],
            }
        )
