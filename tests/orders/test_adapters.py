"""Channel adapters: each channel's real payload shape in, canonical OrderEvents out (no AWS)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from chalicelib.connectors.adapters import ADAPTERS, adapter_for, settlement
from chalicelib.connectors.adapters.base import rupees_to_paise
from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.models import OrderStatus
from haat_tools.local.stack import PROJECT_DIR


def _sample(name: str) -> dict[str, Any]:
    return dict(json.loads((PROJECT_DIR / "events" / "orders" / name).read_text()))


def test_registry_maps_each_channel_to_its_adapter() -> None:
    assert {"haat", "ondc", "amazon", "flipkart", "meesho", settlement.CHANNEL} <= set(ADAPTERS)
    assert all(callable(adapter_for(channel)) for channel in ADAPTERS)
    with pytest.raises(UnmappableEvent, match="no adapter for channel 'ebay'"):
        adapter_for("ebay")


def test_haat_bill() -> None:
    [event] = adapter_for("haat")(_sample("haat_bill_placed.json"))
    assert event.channel_order_id == "HAAT-SGR-01-SGR01-2026-000123"
    assert event.status is OrderStatus.PLACED
    assert event.lines[0].channel_sku == "BDG-WWC-TRAY-01"
    assert event.lines[0].unit_price_paise == 420000
    assert event.dispatch_by == datetime(2026, 11, 22, 12, 30, tzinfo=UTC)
    assert (event.delivery_city, event.delivery_pincode) == ("Srinagar", "190001")


def test_ondc_on_confirm_and_on_status() -> None:
    [confirmed] = adapter_for("ondc")(_sample("ondc_on_confirm.json"))
    assert confirmed.status is OrderStatus.ACCEPTED
    assert confirmed.lines[0].unit_price_paise == 380000
    assert confirmed.dispatch_by == datetime(2026, 11, 21, 12, 30, tzinfo=UTC)
    assert confirmed.delivery_pincode == "560001"
    [packed] = adapter_for("ondc")(_sample("ondc_on_status_packed.json"))
    assert packed.status is OrderStatus.PACKED
    assert packed.event_id != confirmed.event_id


def test_amazon_order_change() -> None:
    [event] = adapter_for("amazon")(_sample("amazon_order_change.json"))
    assert event.event_id == "amazon:0e999936-da2c-4f9c-9fc2-02b67bae5f4b"
    assert event.status is OrderStatus.ACCEPTED
    assert event.lines[0].channel_sku == "AMZ-SGR-PM-BOX-02"
    assert event.lines[0].unit_price_paise == 0, (
        "SP-API sends no prices: the handler prices from the registry"
    )
    [cancelled] = adapter_for("amazon")(_sample("amazon_order_cancelled.json"))
    assert cancelled.status is OrderStatus.CANCELLED


@pytest.mark.parametrize(
    ("channel", "payload", "reason"),
    [
        ("haat", {"outlet_id": "HAAT-SGR-01"}, "haat bill event: Field required at event_id"),
        ("amazon", {"NotificationType": "ORDER_CHANGE"}, "amazon notification: Field required at EventTime"),
        ("ondc", {"context": {}}, "ondc callback: Field required at context.domain"),
    ],
)
def test_unmappable_payloads_say_why(channel: str, payload: dict[str, Any], reason: str) -> None:
    with pytest.raises(UnmappableEvent) as error:
        adapter_for(channel)(payload)
    assert error.value.reason == reason


def test_unmapped_statuses_are_unmappable() -> None:
    sample = _sample("amazon_order_change.json")
    sample["Payload"]["OrderChangeNotification"]["Summary"]["OrderStatus"] = "Teleported"
    with pytest.raises(UnmappableEvent, match="Teleported"):
        adapter_for("amazon")(sample)


@pytest.mark.parametrize(
    ("rupees", "paise"), [("1800.00", 180000), ("0.105", 11), ("12500", 1250000), (99.99, 9999)]
)
def test_rupees_become_integer_paise(rupees: str | float, paise: int) -> None:
    assert rupees_to_paise(rupees) == paise
