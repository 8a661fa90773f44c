"""Webhook ingress: only a known channel, a small body and a good, fresh, unused signature reach the queue."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.orders import signing, webhooks
from chalicelib.orders.signing import new_ed25519_keypair
from haat_tools import webhook_client
from haat_tools.local import runner
from tests.orders.helpers import haat_bill, queue_depth

Drain = Callable[[], runner.DrainResult]


@pytest.fixture(autouse=True)
def empty_queue(drain: Drain, seeded: None) -> None:
    drain()
    assert queue_depth() == 0


def _consume() -> None:
    url = aws.queue_url(settings().ORDER_EVENTS_QUEUE)
    for message in (
        aws.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    ):
        aws.client("sqs").delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def _haat(unique: str) -> tuple[bytes, dict[str, str]]:
    payload = haat_bill(unique)
    body = json.dumps(payload).encode()
    return body, webhook_client.signed_headers("haat", body, payload)


def _ondc(unique: str) -> tuple[bytes, dict[str, str]]:
    payload = {
        "context": {"action": "on_status", "message_id": unique, "bap_id": "buyer.haat.local"},
        "message": {"order": {"id": unique}},
    }
    body = json.dumps(payload).encode()
    return body, webhook_client.signed_headers("ondc", body, payload)


def _refused(api_url: str, channel: str, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    status, answer = webhook_client.post(api_url, channel, body, headers)
    assert queue_depth() == 0, "a refused request must not reach the queue"
    return status, str(answer.get("message", ""))


def test_good_haat_request_is_enqueued_with_channel_and_receive_time(api_url: str, unique: str) -> None:
    body, headers = _haat(unique)
    status, answer = webhook_client.post(api_url, "haat", body, headers)
    assert status == 202
    [message] = aws.client("sqs").receive_message(
        QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE), MessageAttributeNames=["All"]
    )["Messages"]
    assert message["MessageId"] == answer["message_id"]
    assert message["Body"] == body.decode()
    attributes = {k: v["StringValue"] for k, v in message["MessageAttributes"].items()}
    assert attributes["channel"] == "haat"
    assert attributes["outlet_id"] == "HAAT-SGR-01"
    assert attributes["received_at"].startswith("20")
    aws.client("sqs").delete_message(
        QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE), ReceiptHandle=message["ReceiptHandle"]
    )


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h: h.pop(signing.HAAT_SIGNATURE_HEADER),
        lambda h: h.update({signing.HAAT_SIGNATURE_HEADER: "sha256=" + "0" * 64}),
        lambda h: h.pop(signing.HAAT_TIMESTAMP_HEADER),
        lambda h: h.update({signing.HAAT_TIMESTAMP_HEADER: "\u00b2"}),
        lambda h: h.update({signing.HAAT_TIMESTAMP_HEADER: "-1"}),
        lambda h: h.update({signing.HAAT_TIMESTAMP_HEADER: "9" * 40}),
        lambda h: h.update({signing.HAAT_OUTLET_HEADER: "NO-SUCH-OUTLET"}),
        lambda h: h.update({signing.HAAT_OUTLET_HEADER: "airport-sxr"}),
    ],
    ids=[
        "missing",
        "bad",
        "no-timestamp",
        "superscript-timestamp",
        "negative-timestamp",
        "huge-timestamp",
        "unknown-outlet",
        "lower-case-outlet",
    ],
)
def test_bad_haat_signatures_get_one_generic_401(
    api_url: str, unique: str, tamper: Callable[[dict[str, str]], object]
) -> None:
    """The same text whatever failed: an unknown outlet reads like a wrong signature."""
    body, headers = _haat(unique)
    tamper(headers)
    assert _refused(api_url, "haat", body, headers) == (401, webhooks.SIGNATURE_REFUSED)


def test_haat_body_changed_after_signing_gets_401(api_url: str, unique: str) -> None:
    body, headers = _haat(unique)
    assert _refused(api_url, "haat", body.replace(b'"qty": 1', b'"qty": 9'), headers)[0] == 401


def test_replayed_haat_requests_get_401(api_url: str, unique: str) -> None:
    body, headers = _haat(unique)
    assert webhook_client.post(api_url, "haat", body, headers)[0] == 202
    from chalicelib import aws
    from chalicelib.config import settings

    url = aws.queue_url(settings().ORDER_EVENTS_QUEUE)
    for message in (
        aws.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    ):
        aws.client("sqs").delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert _refused(api_url, "haat", body, headers) == (401, webhooks.SIGNATURE_REFUSED)
    payload = haat_bill(unique)
    old = json.dumps(payload).encode()
    stale_headers = webhook_client.signed_headers("haat", old, payload, now=time.time() - 3600)
    assert _refused(api_url, "haat", old, stale_headers) == (401, webhooks.SIGNATURE_REFUSED)


def test_good_ondc_request_is_enqueued(api_url: str, unique: str) -> None:
    body, headers = _ondc(unique)
    assert webhook_client.post(api_url, "ondc", body, headers)[0] == 202
    assert queue_depth() == 1
    _consume()


def test_bad_ondc_signatures_get_401(api_url: str, unique: str) -> None:
    body, headers = _ondc(unique)
    assert _refused(api_url, "ondc", body, {"Content-Type": "application/json"})[0] == 401
    assert _refused(api_url, "ondc", body + b" ", headers) == (401, webhooks.SIGNATURE_REFUSED)
    stranger_key, _ = new_ed25519_keypair()
    forged = signing.ondc_authorization(
        stranger_key, "buyer.haat.local", "k1", body, created=int(time.time())
    )
    assert _refused(api_url, "ondc", body, {**headers, "Authorization": forged}) == (
        401,
        webhooks.SIGNATURE_REFUSED,
    )
    unknown = signing.ondc_authorization(stranger_key, "evil.example", "k1", body, created=int(time.time()))
    assert _refused(api_url, "ondc", body, {**headers, "Authorization": unknown})[0] == 401
    expired = webhook_client.signed_headers("ondc", body, {}, now=time.time() - 3600)
    assert _refused(api_url, "ondc", body, expired) == (401, webhooks.SIGNATURE_REFUSED)


def test_replayed_ondc_request_gets_401(api_url: str, unique: str) -> None:
    body, headers = _ondc(unique)
    assert webhook_client.post(api_url, "ondc", body, headers)[0] == 202
    from chalicelib import aws
    from chalicelib.config import settings

    url = aws.queue_url(settings().ORDER_EVENTS_QUEUE)
    for message in (
        aws.client("sqs").receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    ):
        aws.client("sqs").delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    assert _refused(api_url, "ondc", body, headers) == (401, webhooks.SIGNATURE_REFUSED)


def test_unknown_channel_gets_404_and_large_body_413(api_url: str, unique: str) -> None:
    body, headers = _haat(unique)
    assert _refused(api_url, "ebay", body, headers)[0] == 404
    huge = json.dumps({"padding": "x" * 300_000}).encode()
    assert _refused(api_url, "haat", huge, headers)[0] == 413
