"""Signed order webhooks: verify, then put the raw body on the order-events queue and answer 202.

Nothing reaches the queue unless the request is for a known channel, small enough, correctly
signed, inside the replay window, speaks only for its signer (orders/identity.py) and was not seen
before. Every signature failure gets the same 401 text, so a caller learns nothing of which outlets
or keys exist; the reason is logged.

Replays: a marker keyed on the signature's bytes (not its text, which base64 can spell several
ways) is claimed with a conditional put before the send and released if the send fails, so the
sender's honest retry after a 5xx is accepted - exactly once - and a replay never is.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.observability import logger, metrics
from chalicelib.orders import identity, repository, signing

_OUTLET = re.compile(r"^[A-Z0-9-]{3,40}$")
_SUBSCRIBER = re.compile(r"^[A-Za-z0-9._:-]{1,200}$")
SECRET_MAX_AGE_S = 300
SIGNATURE_REFUSED = "signature not accepted"
MARKER_MARGIN_S = 120  # the replay marker outlives its signature's validity by this much


class WebhookRejected(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Verified:
    """What a good signature proves: who signed, the signature's bytes, and until when it is valid."""

    account: str
    signature: bytes
    valid_until: int


def _header(headers: Mapping[str, str], name: str) -> str:
    lowered = name.lower()
    return next((value for key, value in headers.items() if key.lower() == lowered), "")


def _parameter(name: str) -> str | None:
    from aws_lambda_powertools.utilities import parameters

    try:
        return str(parameters.get_parameter(name, decrypt=True, max_age=SECRET_MAX_AGE_S))
    except parameters.exceptions.GetParameterError:
        return None


def _verify_haat(headers: Mapping[str, str], body: bytes, now: float) -> Verified:
    outlet = _header(headers, signing.HAAT_OUTLET_HEADER)
    if not _OUTLET.fullmatch(outlet):
        raise signing.BadSignature("missing or malformed outlet id")
    secret = _parameter(settings().haat_outlet_secret_parameter(outlet))
    if secret is None:
        raise signing.BadSignature("unknown outlet")
    timestamp = _header(headers, signing.HAAT_TIMESTAMP_HEADER)
    window = settings().WEBHOOK_REPLAY_WINDOW_SECONDS
    signature = signing.verify_haat(
        secret, timestamp, body, _header(headers, signing.HAAT_SIGNATURE_HEADER), now=now, window_s=window
    )
    return Verified(outlet, signature, int(timestamp) + window)


def _verify_ondc(headers: Mapping[str, str], body: bytes, now: float) -> Verified:
    params = signing.parse_ondc_authorization(_header(headers, "Authorization"))
    subscriber, key_id = params["subscriber_id"], params["unique_key_id"]
    if not (_SUBSCRIBER.fullmatch(subscriber) and _SUBSCRIBER.fullmatch(key_id)):
        raise signing.BadSignature("malformed keyId")
    public_key = _parameter(settings().ondc_public_key_parameter(subscriber, key_id))
    if public_key is None:
        raise signing.BadSignature("sender not in the configured ONDC registry entries")
    signature = signing.verify_ondc(params, public_key, body, now=now)
    return Verified(subscriber, signature, int(params["expires"]))


VERIFIERS: dict[str, Callable[[Mapping[str, str], bytes, float], Verified]] = {
    "haat": _verify_haat,
    "ondc": _verify_ondc,
}


def _marker(channel: str, verified: Verified) -> str:
    return hashlib.sha256(channel.encode() + b":" + verified.signature).hexdigest()


def _speaks_for_its_signer(channel: str, body: bytes, account: str) -> None:
    """403 if the body claims another sender. A body that claims none (or is not JSON) goes on to the
    consumer, which quarantines it with the reason (orders/identity.py checks it there too)."""
    try:
        claimed = identity.claimed_account(channel, json.loads(body))
    except ValueError:
        return
    if claimed and claimed != account:
        metrics.add_metric(name="WebhookNotTheSender", unit="Count", value=1)
        field = identity.CLAIM_FIELD[channel]
        raise WebhookRejected(403, f"signed by {account!r} but {field} is {claimed[:80]!r}")


def _enqueue(channel: str, body: bytes, account: str, now: float) -> str:
    attributes = identity.message_attributes(channel, account, datetime.fromtimestamp(now, UTC).isoformat())
    response = aws.client("sqs").send_message(
        QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE),
        MessageBody=body.decode("utf-8", errors="replace"),
        MessageAttributes={k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()},
    )
    return str(response["MessageId"])


def _refuse_signature(channel: str, reason: str) -> WebhookRejected:
    logger.info("webhook refused", extra={"channel": channel, "reason": reason})
    metrics.add_metric(name="WebhookRefused", unit="Count", value=1)
    return WebhookRejected(401, SIGNATURE_REFUSED)


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
        raise _refuse_signature(channel, str(error)) from error
    _speaks_for_its_signer(channel, body, verified.account)
    marker = _marker(channel, verified)
    if not repository.claim_webhook_signature(marker, expires_at=verified.valid_until + MARKER_MARGIN_S):
        raise _refuse_signature(channel, "request replayed")
    try:
        message_id = _enqueue(channel, body, verified.account, now)
    except (BotoCoreError, ClientError) as error:
        _release(marker)
        code = error.response["Error"]["Code"] if isinstance(error, ClientError) else ""
        if code == "InvalidMessageContents":
            raise WebhookRejected(400, "the body has characters a queue message cannot carry") from error
        logger.exception("webhook not queued", extra={"channel": channel})
        raise WebhookRejected(503, "the request could not be queued; send it again") from error
    metrics.add_metric(name=f"WebhookAccepted_{channel}", unit="Count", value=1)
    return message_id


def _release(marker: str) -> None:
    """Let the same signature in again: its request never reached the queue."""
    try:
        repository.release_webhook_signature(marker)
    except (BotoCoreError, ClientError):
        logger.exception("replay marker not released; the sender's retry will be refused until it expires")
