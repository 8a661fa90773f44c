"""Deliver outbox entries: read, render in the member's language, claim, send once, record.

Exactly once to the phone, as far as SMS allows:
- everything that can fail before the send (reading the entry and the member, rendering) happens
  before the entry is claimed, so such a failure leaves the entry as it was, for the next run;
- the claim is a conditional update (pending, or failed and due -> sending) carrying a fresh token,
  so two deliverers never both send an entry, and a claim whose answer was lost is still known as ours;
- the SMS client makes one attempt per Publish, with short timeouts (`aws.sms_client`);
- a send that certainly did not reach SNS (no connection, throttled, an error answer) goes back to
  `failed` with exponential backoff and is sent later - never lost;
- a send whose fate is unknown - the request was written and no answer came (read timeout, dropped
  connection), or the deliverer stopped before recording the answer (a `sending` entry whose lease
  ran out) - becomes `unconfirmed` with its reason and is never re-sent automatically: SNS has no
  idempotency key for SMS. `haat ops sms-unconfirmed` lists them for an operator (docs/runbook.md).

When SNS fails for transport or capacity reasons (or AWS fails under the deliverer), delivery in
this container pauses for PAUSE_SECONDS: one invocation never spends its timeout on a struggling
SNS, and the entries wait, untouched, for the scheduled `deliver_notifications`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectionError,
    HTTPClientError,
    ReadTimeoutError,
)
from pydantic import BaseModel, ConfigDict, ValidationError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import from_item
from chalicelib.notify import outbox
from chalicelib.notify.models import Notification, Template
from chalicelib.notify.templates import render, sms_length, template_for
from chalicelib.observability import logger, metrics
from chalicelib.registry import repository as registry
from chalicelib.registry.models import Language, Member

LEASE_SECONDS = 120
PAUSE_SECONDS = 30
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
LOST_LEASE_REASON = (
    "no outcome recorded before the lease ran out (the deliverer timed out or crashed during the "
    "send, or could not record SNS's answer): the SMS may have been sent"
)


class OutgoingMessage(BaseModel):
    """What a sender needs; `idempotency_key` is the outbox entry id (for channels that dedupe)."""

    model_config = ConfigDict(frozen=True)

    idempotency_key: str
    phone: str
    text: str
    template: Template
    language: Language
    dlt_template_id: str


class SendFailed(Exception):
    """The provider did not confirm the message; `may_have_sent` if the request left and no answer came."""

    def __init__(self, reason: str, *, may_have_sent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.may_have_sent = may_have_sent


class Sender(Protocol):
    """One delivery channel (SMS today; WhatsApp or email later)."""

    def send(self, message: OutgoingMessage) -> str:
        """Hand the message over; returns the provider's message id or raises SendFailed."""
        ...


class SnsSmsSender:
    """Transactional SMS through Amazon SNS, with the DLT entity and template ids India requires."""

    def __init__(self, client: Any | None = None) -> None:
        self._client = client

    def send(self, message: OutgoingMessage) -> str:
        config = settings()
        client = self._client or aws.sms_client()
        attributes = {
            "AWS.SNS.SMS.SMSType": "Transactional",
            "AWS.SNS.SMS.SenderID": config.SMS_SENDER_ID,
            "AWS.MM.SMS.EntityId": config.SMS_ENTITY_ID,
            "AWS.MM.SMS.TemplateId": message.dlt_template_id,
        }
        try:
            response = client.publish(
                PhoneNumber=message.phone,
                Message=message.text,
                MessageAttributes={
                    k: {"DataType": "String", "StringValue": v} for k, v in attributes.items()
                },
            )
        except ReadTimeoutError as error:
            timeout = client.meta.config.read_timeout
            raise SendFailed(
                f"no answer from SNS within {timeout} s after the request was sent", may_have_sent=True
            ) from error
        except ConnectionClosedError as error:
            raise SendFailed(
                "SNS connection dropped after the request was sent, before an answer", may_have_sent=True
            ) from error
        except ConnectionError as error:  # connecting failed (refused, DNS, TLS): nothing was written
            raise SendFailed(f"could not connect to SNS ({type(error).__name__})") from error
        except HTTPClientError as error:  # a transport error that may have come after the request left
            raise SendFailed(
                f"transport error during the send ({type(error).__name__})", may_have_sent=True
            ) from error
        except ClientError as error:  # SNS answered: a definite no (throttled, 5xx, invalid)
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "")
            code = error.response.get("Error", {}).get("Code", "")
            raise SendFailed(f"SNS answered {status} {code}".strip()) from error
        except BotoCoreError as error:  # raised while building or signing: nothing was written
            raise SendFailed(f"request not sent ({type(error).__name__})") from error
        return str(response["MessageId"])


class DeliveryResult(BaseModel):
    notification_id: str
    state: str
    attempts: int = 0
    language: str = ""
    text: str = ""
    reason: str = ""


class _Pause:
    """Delivery stopped in this container after SNS or AWS trouble, as a window of (caller's) time."""

    start = 0.0
    until = 0.0

    @classmethod
    def set(cls, now: float) -> None:
        cls.start, cls.until = now, now + PAUSE_SECONDS

    @classmethod
    def active(cls, now: float) -> bool:
        return cls.start <= now < cls.until


def end_pause() -> None:
    """Deliver again at once in this container (tests; the local stack after switching endpoints)."""
    _Pause.start = _Pause.until = 0.0


def dlt_template_id(template: Template, language: Language) -> str:
    """The stage's registered id (SMS_TEMPLATE_IDS) or the template table's default."""
    overrides: dict[str, str] = json.loads(settings().SMS_TEMPLATE_IDS or "{}")
    return (
        overrides.get(f"{template.value}.{language.value}")
        or template_for(template, language).dlt_template_id
    )


def deliver_pending(
    notification_ids: Iterable[str] | None = None,
    *,
    sender: Sender | None = None,
    now: float | None = None,
    limit: int = 100,
) -> list[DeliveryResult]:
    """Deliver the given outbox entries (real time, right after enqueueing), or every due one.

    Safe to call from anywhere at any time: entries already sent, being sent or not yet due are
    left alone, and an AWS failure never escapes (the entry waits for the next run; state `deferred`).
    Returns what happened to each entry it looked at.
    """
    now = time.time() if now is None else now
    sender = sender or SnsSmsSender()
    members: dict[tuple[str, str], Member | None] = {}
    work: list[tuple[str, dict[str, Any] | None]] = (
        [(i, None) for i in notification_ids]
        if notification_ids is not None
        else [(str(item["notification_id"]), item) for item in outbox.due(now, limit)]
    )
    results = []
    for notification_id, listed in work:
        if _Pause.active(now):
            results.append(DeliveryResult(notification_id=notification_id, state="deferred"))
            continue
        try:
            entry = listed if listed is not None else outbox.read(notification_id)
            results.append(_deliver_one(notification_id, entry, sender, now, members))
        except Exception:  # noqa: BLE001 - AWS trouble: this entry (and the rest) wait for the next run
            logger.exception("notification delivery interrupted", extra={"notification_id": notification_id})
            _Pause.set(now)
            results.append(DeliveryResult(notification_id=notification_id, state="deferred"))
    return results


def _claim(notification_id: str, now: float, message: OutgoingMessage | None) -> tuple[str, int] | None:
    """Take a due entry for sending: (claim token, attempt number), or None if it is not ours now.

    A claim whose call fails (it may have gone through before its answer was lost) is released, so
    an entry is not left `sending` without a send; if the release fails too, the lease runs out.
    """
    token = uuid.uuid4().hex
    try:
        attempts = outbox.claim(
            notification_id,
            token,
            now,
            lease_until=int(now) + LEASE_SECONDS,
            text=message.text if message else "",
            language=message.language.value if message else "",
        )
    except Exception:
        try:
            outbox.release(notification_id, token, now)
        except Exception:  # noqa: BLE001 - best effort; the lease runs out
            logger.warning("claim not released", extra={"notification_id": notification_id})
        raise
    return None if attempts is None else (token, attempts)


def _finish(notification_id: str, token: str, state: str, at: int, **fields: Any) -> None:
    if not outbox.settle(notification_id, token, state, at, **fields):
        logger.warning(
            "outbox entry changed under the deliverer",
            extra={"notification_id": notification_id, "wanted": state},
        )


def backoff_seconds(attempts: int) -> int:
    return int(min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def _member(notification: Notification, members: dict[tuple[str, str], Member | None]) -> Member | None:
    key = (notification.shg_id, notification.member_id)
    if key not in members:
        members[key] = registry.get_member(*key)
    return members[key]


def _message_for(
    notification_id: str, entry: dict[str, Any], members: dict[tuple[str, str], Member | None]
) -> OutgoingMessage | tuple[str, str]:
    """The SMS an entry sends, rendered in its member's language, or why it never will: (state, reason)."""
    try:
        notification = Notification.model_validate(from_item(entry))
    except ValidationError as error:  # queued before its template's variables changed: never sendable
        return "undeliverable", f"variables do not fit the template: {error.error_count()} errors"
    member = _member(notification, members)
    if member is None:
        return "undeliverable", "member not in the registry"
    if member.sms_opt_out:
        return "opted_out", ""
    language = member.language
    return OutgoingMessage(
        idempotency_key=notification_id,
        phone=member.phone,
        text=render(notification.template, language, notification.variables),
        template=notification.template,
        language=language,
        dlt_template_id=dlt_template_id(notification.template, language),
    )


def _deliver_one(
    notification_id: str,
    entry: dict[str, Any] | None,
    sender: Sender,
    now: float,
    members: dict[tuple[str, str], Member | None],
) -> DeliveryResult:
    if entry is None or not outbox.is_due(entry, now):
        return _not_due(notification_id, entry, now)
    message = _message_for(notification_id, entry, members)
    if not isinstance(message, OutgoingMessage):
        return _settle_without_sending(notification_id, now, *message)
    claim = _claim(notification_id, now, message)
    if claim is None:
        return DeliveryResult(notification_id=notification_id, state="skipped")
    token, attempts = claim
    try:
        provider_id = sender.send(message)
    except SendFailed as error:
        return _record_failure(notification_id, token, attempts, error, now)
    length = sms_length(message.text)
    _finish(
        notification_id,
        token,
        "sent",
        int(now),
        sent_at=int(now),
        provider_message_id=provider_id,
        encoding=length.encoding,
        segments=length.segments,
    )
    metrics.add_metric(name="NotificationSent", unit="Count", value=1)
    return DeliveryResult(
        notification_id=notification_id,
        state="sent",
        attempts=attempts,
        language=message.language.value,
        text=message.text,
    )


def _not_due(notification_id: str, entry: dict[str, Any] | None, now: float) -> DeliveryResult:
    """Nothing to send now; but a `sending` entry whose lease ran out becomes unconfirmed."""
    if (
        entry is not None
        and entry.get("state") == "sending"
        and int(entry.get("lease_until", 0)) < now
        and outbox.expire_lease(notification_id, now, LOST_LEASE_REASON)
    ):
        logger.error("notification unconfirmed", extra={"notification_id": notification_id})
        metrics.add_metric(name="NotificationUnconfirmed", unit="Count", value=1)
        return DeliveryResult(notification_id=notification_id, state="unconfirmed", reason=LOST_LEASE_REASON)
    return DeliveryResult(notification_id=notification_id, state="skipped")


def _settle_without_sending(notification_id: str, now: float, state: str, reason: str = "") -> DeliveryResult:
    """An entry that will never be sent (opted out, undeliverable): claimed, then closed with why."""
    claim = _claim(notification_id, now, None)
    if claim is None:
        return DeliveryResult(notification_id=notification_id, state="skipped")
    token, attempts = claim
    _finish(notification_id, token, state, int(now), **({"reason": reason} if reason else {}))
    return DeliveryResult(notification_id=notification_id, state=state, attempts=attempts, reason=reason)


def _record_failure(
    notification_id: str, token: str, attempts: int, error: SendFailed, now: float
) -> DeliveryResult:
    _Pause.set(now)
    if error.may_have_sent:
        _finish(notification_id, token, "unconfirmed", int(now), reason=error.reason, unconfirmed_at=int(now))
        logger.error(
            "notification unconfirmed", extra={"notification_id": notification_id, "reason": error.reason}
        )
        metrics.add_metric(name="NotificationUnconfirmed", unit="Count", value=1)
        return DeliveryResult(
            notification_id=notification_id, state="unconfirmed", attempts=attempts, reason=error.reason
        )
    due = int(now) + backoff_seconds(attempts)
    _finish(notification_id, token, "failed", due, reason=error.reason, next_attempt_at=due)
    logger.warning(
        "notification send failed", extra={"notification_id": notification_id, "reason": error.reason}
    )
    metrics.add_metric(name="NotificationSendFailed", unit="Count", value=1)
    return DeliveryResult(
        notification_id=notification_id, state="failed", attempts=attempts, reason=error.reason
    )


def deliver_due(raw_event: dict[str, Any]) -> dict[str, Any]:
    """The scheduled retry of the outbox: every entry that is due (pending, or failed and backed off)
    at the schedule's time (or now, for a late invocation)."""
    fired_at = datetime.fromisoformat(str(raw_event["time"]).replace("Z", "+00:00")).timestamp()
    results = deliver_pending(now=max(fired_at, time.time()))
    metrics.add_metric(name="NotificationsDue", unit="Count", value=len(results))
    states: dict[str, int] = {}
    for result in results:
        states[result.state] = states.get(result.state, 0) + 1
    return {"looked_at": len(results), "states": states}
