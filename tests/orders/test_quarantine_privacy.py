"""What the quarantine keeps of a refused message: its shape and reason, never the buyer."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from chalicelib.orders.redact import MASK, masked_body
from haat_tools.local import runner
from tests.orders.helpers import enqueue_raw, quarantined

pytestmark = pytest.mark.usefixtures("seeded")

BUYER = {
    "name": "Asha Devi",
    "phone": "+91 98765 43210",
    "email": "asha.devi@example.com",
    "address": {
        "door": "12B",
        "building": "Chinar Apartments",
        "street": "Residency Road",
        "locality": "Lal Chowk",
        "city": "Srinagar",
        "state": "Jammu and Kashmir",
        "area_code": "190001",
    },
}
PERSONAL = ("Asha", "98765", "asha.devi", "12B", "Chinar Apartments", "Residency", "Lal Chowk")


def _ondc_with_buyer(unique: str) -> dict[str, object]:
    return {
        "context": {"domain": "ONDC:RET12", "action": "on_confirm", "bap_id": "buyer.example"},
        "message": {
            "order": {
                "id": f"ONDC-{unique}",
                "state": "NoSuchState",
                "items": [{"id": "SKU-1", "quantity": {"count": 1}, "descriptor": {"name": "Namda rug"}}],
                "billing": BUYER,
                "fulfillments": [
                    {
                        "id": "F1",
                        "end": {
                            "person": {"name": "Asha Devi"},
                            "contact": {"phone": "9876543210", "email": "asha.devi@example.com"},
                            "location": {"gps": "34.08,74.79", "address": BUYER["address"]},
                            "instructions": "call 9876543210 before coming",
                        },
                    }
                ],
            }
        },
    }


def test_a_quarantined_body_keeps_no_buyer_data(drain: Callable[[], runner.DrainResult], unique: str) -> None:
    message_id = enqueue_raw(json.dumps(_ondc_with_buyer(unique)), {"channel": "ondc"})
    drain()
    kept = quarantined(message_id)
    assert kept is not None
    assert kept["reason"]
    assert not [word for word in PERSONAL if word in kept["body"]]
    body = json.loads(kept["body"])
    address = body["message"]["order"]["billing"]["address"]
    assert (address["city"], address["area_code"], address["door"]) == ("Srinagar", "190001", MASK)
    assert body["message"]["order"]["items"][0]["descriptor"]["name"] == "Namda rug"


def test_a_body_that_is_not_json_is_swept_too() -> None:
    broken = '{"customer_name": "Asha Devi", "phone": "9876543210", "note": "mail a@b.in", "qty": 2'
    masked = masked_body(broken)
    assert not [word for word in ("Asha", "9876543210", "a@b.in") if word in masked]
    assert '"qty": 2' in masked


def test_long_numbers_that_are_not_phones_stay() -> None:
    assert masked_body("sub order 218465329087453312_1 at 1732089600") == (
        "sub order 218465329087453312_1 at 1732089600"
    )
