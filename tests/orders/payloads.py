"""Order payloads in each channel's own shape, with the few fields a test cares about as arguments.

Times are ISO strings as the channel writes them; prices are whole rupees per piece.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from haat_tools.local import stack

_ONDC = json.loads((stack.PROJECT_DIR / "events/orders/ondc_on_confirm.json").read_text())
_AMAZON = json.loads((stack.PROJECT_DIR / "events/orders/amazon_order_change.json").read_text())


def haat(
    bill: str,
    event: str,
    status: str,
    at: str,
    items: list[tuple[str, int, str]],
    *,
    outlet: str = "HAAT-SGR-01",
    city: str = "Srinagar",
    pincode: str = "190001",
    dispatch_by: str | None = None,
    buyer: str = "",
) -> dict[str, Any]:
    """A bill event from an outlet; items are (sku, qty, unit price as printed)."""
    payload: dict[str, Any] = {
        "event_id": event,
        "outlet_id": outlet,
        "bill_no": bill,
        "status": status,
        "occurred_at": at,
        "delivery": {"city": city, "pincode": pincode},
        "items": [{"sku": sku, "qty": qty, "unit_price": price} for sku, qty, price in items],
    }
    if dispatch_by:
        payload["dispatch_by"] = dispatch_by
    if buyer:
        payload["buyer"] = {"name": buyer}
    return payload


def ondc(
    order_id: str,
    message_id: str,
    state: str,
    at: str,
    items: list[tuple[str, int, int]],
    *,
    created_at: str,
    action: str = "on_status",
    fulfillment: str = "Pending",
    ship_by: str = "",
    city: str = "Bengaluru",
    pincode: str = "560001",
) -> dict[str, Any]:
    """An ONDC seller callback; items are (item id = Haat SKU, count, unit rupees)."""
    callback = copy.deepcopy(_ONDC)
    callback["context"].update({"action": action, "message_id": message_id, "timestamp": at})
    callback["context"]["transaction_id"] = f"txn-{order_id}"
    order = callback["message"]["order"]
    order.update({"id": order_id, "state": state, "created_at": created_at, "updated_at": at})
    order["items"] = [{"id": sku, "fulfillment_id": "F1", "quantity": {"count": n}} for sku, n, _ in items]
    delivery = order["fulfillments"][0]
    delivery["state"]["descriptor"]["code"] = fulfillment
    delivery["end"]["location"]["address"].update({"city": city, "area_code": pincode})
    if ship_by:
        delivery["start"]["time"]["range"]["end"] = ship_by
    breakup = [
        {
            "@ondc/org/item_id": sku,
            "@ondc/org/item_quantity": {"count": n},
            "title": sku,
            "@ondc/org/title_type": "item",
            "price": {"currency": "INR", "value": f"{n * rupees}.00"},
            "item": {"price": {"currency": "INR", "value": f"{rupees}.00"}},
        }
        for sku, n, rupees in items
    ]
    total = sum(n * rupees for _, n, rupees in items)
    order["quote"] = {"price": {"currency": "INR", "value": f"{total}.00"}, "breakup": breakup}
    return dict(callback)


def amazon(
    order_id: str,
    notification: str,
    status: str,
    at: str,
    items: list[tuple[str, int]],
    *,
    purchased: str | None = None,
    latest_ship: str = "",
    pincode: str = "560034",
) -> dict[str, Any]:
    """An SP-API ORDER_CHANGE notification; items are (SellerSKU, quantity); no PurchaseDate
    when `purchased` is None (a notice that does not say when the order was placed)."""
    envelope = copy.deepcopy(_AMAZON)
    envelope["EventTime"] = at
    envelope["NotificationMetadata"]["NotificationId"] = notification
    envelope["NotificationMetadata"]["PublishTime"] = at
    change = envelope["Payload"]["OrderChangeNotification"]
    change["AmazonOrderId"] = order_id
    change["OrderChangeTrigger"]["TimeOfOrderChange"] = at
    summary = change["Summary"]
    summary.update({"OrderStatus": status, "DestinationPostalCode": pincode})
    summary["OrderItems"] = [
        {"OrderItemId": f"{order_id}-{index}", "SellerSKU": sku, "Quantity": qty}
        for index, (sku, qty) in enumerate(items)
    ]
    if latest_ship:
        summary["LatestShipDate"] = latest_ship
    if purchased is None:
        summary.pop("PurchaseDate", None)
    else:
        summary["PurchaseDate"] = purchased
    return dict(envelope)


def flipkart(
    order_id: str,
    status: str,
    updated: str,
    ordered: str,
    items: list[tuple[str, int, int]],
    *,
    dispatch_by: str = "",
    city: str = "Pune",
    pincode: str = "411001",
) -> dict[str, Any]:
    """A Seller API v3 shipment as the poller enqueues it; items are (sku, quantity, unit rupees);
    priceComponents are for the whole order item, as Flipkart sends them."""
    return {
        "shipmentId": f"SHP-{order_id}",
        "dispatchByDate": dispatch_by or None,
        "updatedAt": updated,
        "hold": False,
        "shipmentType": "NORMAL",
        "orderItems": [
            {
                "orderItemId": f"{order_id}-{index}",
                "orderId": order_id,
                "orderDate": ordered,
                "paymentType": "PREPAID",
                "status": status,
                "quantity": qty,
                "sku": sku,
                "title": sku,
                "priceComponents": {
                    "sellingPrice": f"{qty * rupees}.00",
                    "customerPrice": f"{qty * rupees}.00",
                },
            }
            for index, (sku, qty, rupees) in enumerate(items)
        ],
        "deliveryAddress": {"city": city, "state": "", "pinCode": pincode},
    }


def meesho_row(
    status: str, sub_order: str, ordered: str, sku: str, qty: int, *, rupees: int | str, city: str = "Pune"
) -> dict[str, str]:
    """One row of the supplier panel's export, with the panel's own headers."""
    return {
        "Reason for Credit Entry": status,
        "Sub Order No": sub_order,
        "Order Date": ordered,
        "SKU": sku,
        "Quantity": str(qty),
        "Supplier Discounted Price (Incl GST and Commision)": str(rupees),
        "Customer City": city,
    }


def meesho(import_id: str, imported_at: str, rows: list[dict[str, str]]) -> dict[str, Any]:
    """A chunk of one export import, as the importer puts it on the queue."""
    return {
        "import_id": import_id,
        "imported_at": imported_at,
        "dispatch_cutoff_ist": "17:30:00",
        "rows": rows,
    }
