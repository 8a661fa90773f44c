"""Signed order webhooks: verify, then put the raw body on the order-events queue and answer 202.

Nothing reaches the queue unless the request is for a known channel, small enough, correctly
signed, inside the replay window and not seen before (a replay marker with a TTL in the orders table).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.observability import logger, metrics
from chalicelib.orders import repository, signing

_OUTLET = re.compile(r"^[A-Z0-9-]{3,40}$")
_SUBSCRIBER = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")
SECRET_MAX_AGE_S = 300


class WebhookRejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _header(headers: Mapping[str, str], name: str) -> str:
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), "")


def _parameter(name: str) -> str | None:
    from aws_lambda_powertools.utilities import parameters

    try:
        return str(parameters.get_parameter(name, decrypt=True, max_age=SECRET_MAX_AGE_S))
    except parameters.exceptions.GetParameterError:
        return None


def _verify_haat(headers: Mapping[str, str], body: bytes, now: float) -> dict[str, str]:
    outlet = _header(headers, signing.HAAT_OUTLET_HEADER)
    if not _OUTLET.fullmatch(outlet):
        raise signing.BadSignature("missing or malformed outlet id")
    secret = _parameter(settings().haat_outlet_secret_parameter(outlet))
    if secret is None:
        raise signing.BadSignature("unknown outlet")
    signing.verify_haat(
        secret,
        _header(headers, signing.HAAT_TIMESTAMP_HEADER),
        body,
        _header(headers, signing.HAAT_SIGNATURE_HEADER),
        now=now,
        window_s=settings().WEBHOOK_REPLAY_WINDOW_SECONDS,
    )
    return {"outlet_id": outlet, "signature": _header(headers, signing.HAAT_SIGNATURE_HEADER)}


def _verify_ondc(headers: Mapping[str, str], body: bytes, now: float) -> dict[str, str]:
    params = signing.parse_ondc_authorization(_header(headers, "Authorization"))
    subscriber, key_id = params["subscriber_id"], params["unique_key_id"]
    if not (_SUBSCRIBER.fullmatch(subscriber) and _SUBSCRIBER.fullmatch(key_id)):
        raise signing.BadSignature("malformed keyId")
    public_key = _parameter(settings().ondc_public_key_parameter(subscriber, key_id))
    if public_key is None:
        raise signing.BadSignature("sender not in the configured ONDC registry entries")
    signing.verify_ondc(params, public_key, body, now=now)
    return {"subscriber_id": subscriber, "signature": params["signature"]}


VERIFIERS: dict[str, Callable[[Mapping[str, str], bytes, float], dict[str, str]]] = {
    "haat": _verify_haat,
    "ondc": _verify_ondc,
}


def _first_use(signature: str, now: float) -> bool:
    """Claim this signature; False if it was used before (a replay inside the window)."""
    window = settings().WEBHOOK_REPLAY_WINDOW_SECONDS
    digest = hashlib.sha256(signature.encode()).hexdigest()
    return repository.claim_webhook_signature(digest, expires_at=int(now) + 2 * window)


def receive(channel: str, headers: Mapping[str, str], body: bytes, now: float | None = None) -> str:
    """Verify and enqueue one webhook request; returns the queue message id or raises WebhookRejected."""
    now = time.time() if now is None else now
    verify = VERIFIERS.get(channel)
    if verify is None:
        raise WebhookRejected(404, f"unknown channel {channel!r}")
    if len(body) > settings().WEBHOOK_MAX_BYTES:
        raise WebhookRejected(413, f"body larger than {settings().WEBHOOK_MAX_BYTES} bytes")
    try:
        verified = verify(headers, body, now)
    except signing.BadSignature as error:
        logger.info("webhook refused", extra={"channel": channel, "reason": str(error)})
        metrics.add_metric(name="WebhookRefused", unit="Count", value=1)
        raise WebhookRejected(401, str(error)) from error
    if not _first_use(verified.pop("signature"), now):
        raise WebhookRejected(401, "request replayed")
    attributes = {
        "channel": channel,
        "received_at": datetime.fromtimestamp(now, UTC).isoformat(),
        **verified,
    }
    response = aws.client("sqs").send_message(
        QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE),
        MessageBody=body.decode("utf-8", errors="replace"),
        MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
    )
    metrics.add_metric(name=f"WebhookAccepted_{channel}", unit="Count", value=1)
    return str(response["MessageId"])
