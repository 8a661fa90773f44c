"""A signed sender speaks only for itself, a signature is used once, and a retry after a failed
send is accepted once: probed as a sender with a small foothold would."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable

import pytest

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.orders import signing, webhooks
from chalicelib.orders.signing import new_ed25519_keypair
from haat_tools import webhook_client
from haat_tools.local import runner, stack
from tests.orders.helpers import (
    enqueue_raw,
    haat_bill,
    haat_order_id,
    post_signed,
    quarantined,
    queue_depth,
    view,
)

pytestmark = pytest.mark.usefixtures("seeded")
Drain = Callable[[], runner.DrainResult]
OTHER_BUYER = ("other-buyer.example", "k2")


@pytest.fixture(autouse=True)
def empty_queue(drain: Drain) -> None:
    drain()
    assert queue_depth() == 0


@pytest.fixture(scope="module")
def other_buyer_key(local_aws: stack.LocalAws) -> str:
    """A second ONDC participant in the configured registry entries, with its own key pair."""
    private_key, public_key = new_ed25519_keypair()
    aws.client("ssm").put_parameter(
        Name=settings().ondc_public_key_parameter(*OTHER_BUYER),
        Value=public_key,
        Type="String",
        Overwrite=True,
    )
    return private_key


def _signed_as(outlet: str, payload: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps(payload).encode()
    return body, webhook_client.signed_headers("haat", body, {"outlet_id": outlet})


def _ondc_signed_by(private_key: str, payload: dict[str, object], *, ttl_s: int = 300) -> tuple[bytes, dict]:
    body = json.dumps(payload).encode()
    authorization = signing.ondc_authorization(
        private_key, *OTHER_BUYER, body, created=int(time.time()), ttl_s=ttl_s
    )
    return body, {"Content-Type": "application/json", "Authorization": authorization}


def _ondc_order(order_id: str, action: str, state: str, bap_id: str, message_id: str) -> dict[str, object]:
    sample = json.loads((stack.PROJECT_DIR / "events/orders/ondc_on_confirm.json").read_text())
    sample["context"].update({"action": action, "bap_id": bap_id, "message_id": message_id})
    sample["message"]["order"].update({"id": order_id, "state": state})
    return dict(sample)


def _cancellations(order: dict[str, object]) -> list[object]:
    return [n for n in order["notifications"] if n["template"] == "cancellation"]  # type: ignore[index]


def test_an_outlet_cannot_write_another_outlets_order(api_url: str, drain: Drain, unique: str) -> None:
    assert post_signed(api_url, "haat", haat_bill(unique))[0] == 202
    drain()
    cancel = haat_bill(unique, "cancelled", event="e2", at="2026-11-20T12:00:00+05:30")
    body, headers = _signed_as("AIRPORT-SXR", cancel)
    status, answer = webhook_client.post(api_url, "haat", body, headers)
    assert status == 403
    assert "AIRPORT-SXR" in answer["message"]
    assert queue_depth() == 0
    order = view("haat", haat_order_id(unique))
    assert order["order"]["status"] == "placed"
    assert not _cancellations(order)


def test_a_queued_message_cannot_borrow_an_outlet(drain: Drain, unique: str) -> None:
    """Put on the queue some other way than the webhook: the consumer checks the identity again."""
    forged = enqueue_raw(json.dumps(haat_bill(unique)), {"channel": "haat", "outlet_id": "AIRPORT-SXR"})
    unsigned = enqueue_raw(json.dumps(haat_bill(unique, event="e9")), {"channel": "haat"})
    drain()
    assert "AIRPORT-SXR" in quarantined(forged)["reason"]  # type: ignore[index]
    assert "webhook" in quarantined(unsigned)["reason"]  # type: ignore[index]


def test_an_ondc_participant_cannot_use_another_bap_id(
    api_url: str, other_buyer_key: str, unique: str
) -> None:
    payload = _ondc_order(f"ONDC-{unique}", "on_cancel", "Cancelled", "buyer.haat.local", unique)
    body, headers = _ondc_signed_by(other_buyer_key, payload)
    status, answer = webhook_client.post(api_url, "ondc", body, headers)
    assert status == 403
    assert "context.bap_id" in answer["message"]
    assert queue_depth() == 0


def test_an_ondc_order_belongs_to_the_bap_that_created_it(
    api_url: str, drain: Drain, other_buyer_key: str, unique: str
) -> None:
    order_id = f"ONDC-{unique}"
    confirm = _ondc_order(order_id, "on_confirm", "Accepted", "buyer.haat.local", f"{unique}-1")
    assert post_signed(api_url, "ondc", confirm)[0] == 202
    drain()
    cancel = _ondc_order(order_id, "on_cancel", "Cancelled", OTHER_BUYER[0], f"{unique}-2")
    body, headers = _ondc_signed_by(other_buyer_key, cancel)
    assert webhook_client.post(api_url, "ondc", body, headers)[0] == 202
    drain()
    order = view("ondc", order_id)
    assert order["order"]["status"] == "accepted"
    assert order["order"]["account"] == "buyer.haat.local"
    refused = order["history"][-1]
    assert refused["outcome"] == "rejected"
    assert "belongs to buyer.haat.local" in refused["reason"]
    assert not _cancellations(order)


def _respelled(authorization: str, spell: Callable[[str], str]) -> str:
    head, _, signature = authorization.rpartition('signature="')
    return f'{head}signature="{spell(signature.rstrip(chr(34)))}"'


def _stray_bits(signature: str) -> str:
    """The same 64 bytes in another spelling: the last character's unused low bits set."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = signature[-3]
    return signature[:-3] + alphabet[alphabet.index(last) | 0b1111] + "=="


@pytest.mark.parametrize(
    "spell",
    [lambda s: "!" + s, lambda s: s[:10] + "." + s[10:], lambda s: s[:-2], _stray_bits, lambda s: s + " "],
    ids=["leading-bang", "inserted-dot", "no-padding", "stray-bits", "trailing-space"],
)
def test_an_ondc_signature_respelled_is_refused(
    api_url: str, drain: Drain, unique: str, spell: Callable[[str], str]
) -> None:
    payload = {"context": {"action": "on_status", "message_id": unique, "bap_id": "buyer.haat.local"}}
    body = json.dumps(payload).encode()
    headers = webhook_client.signed_headers("ondc", body, payload)
    assert webhook_client.post(api_url, "ondc", body, headers)[0] == 202
    drain()
    again = {**headers, "Authorization": _respelled(headers["Authorization"], spell)}
    assert webhook_client.post(api_url, "ondc", body, again) == (401, {"message": webhooks.SIGNATURE_REFUSED})
    assert queue_depth() == 0


def test_the_stray_bits_spelling_decodes_to_the_same_bytes() -> None:
    signature = base64.b64encode(bytes(range(64))).decode()
    assert _stray_bits(signature) != signature
    assert base64.b64decode(_stray_bits(signature)) == base64.b64decode(signature)
    with pytest.raises(signing.BadSignature):
        signing.strict_b64decode(_stray_bits(signature))


def test_an_ondc_signature_may_live_an_hour_at_most(api_url: str, other_buyer_key: str, unique: str) -> None:
    payload = _ondc_order(f"ONDC-{unique}", "on_status", "Accepted", OTHER_BUYER[0], unique)
    body, week = _ondc_signed_by(other_buyer_key, payload, ttl_s=7 * 24 * 3600)
    assert webhook_client.post(api_url, "ondc", body, week) == (401, {"message": webhooks.SIGNATURE_REFUSED})
    body, hour = _ondc_signed_by(other_buyer_key, payload, ttl_s=3600)
    assert webhook_client.post(api_url, "ondc", body, hour)[0] == 202


def test_an_honest_retry_after_a_failed_send_is_accepted_once(
    api_url: str, drain: Drain, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    body, headers = _signed_as("HAAT-SGR-01", haat_bill(unique))
    real_queue_url = aws.queue_url
    with monkeypatch.context() as patch:
        patch.setattr(aws, "queue_url", lambda name: real_queue_url(name) + "-gone")
        status, answer = webhook_client.post(api_url, "haat", body, headers)
    assert status == 503
    assert "send it again" in answer["message"]
    assert webhook_client.post(api_url, "haat", body, headers)[0] == 202
    assert webhook_client.post(api_url, "haat", body, headers) == (
        401,
        {"message": webhooks.SIGNATURE_REFUSED},
    )
    assert queue_depth() == 1
    drain()
    assert view("haat", haat_order_id(unique))["order"]["status"] == "placed"
