"""Deliver outbox entries: claim, render in the member's language, send, mark sent.

Exactly once to the phone, as far as SMS allows:
- an entry is claimed with a conditional update (pending/failed and due -> sending), so two
  deliverers (the inline call after an order, the scheduled `deliver_notifications`) never both send it;
- a send that certainly did not reach the provider (connection refused, throttled, rejected) goes
  back to `failed` with exponential backoff and is retried until sent - never lost;
- a send whose fate is unknown (timeout after the request left, or a crash between the provider's
  accept and the `sent` mark, seen as a `sending` entry whose lease ran out) becomes `unconfirmed`
  and is not re-sent automatically: a duplicate SMS is what we promise never to send.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError, ConnectionError, ReadTimeoutError
from pydantic import BaseModel, ConfigDict, ValidationError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import from_item
from chalicelib.notify import outbox
from chalicelib.notify.models import Notification, Template
from chalicelib.notify.templates import render, sms_length, template_for
from chalicelib.observability import logger, metrics
from chalicelib.registry import repository as registry
from chalicelib.registry.models import Language

LEASE_SECONDS = 120
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600


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
    """The provider did not take the message; `ambiguous` if it may have taken it after all."""

    def __init__(self, reason: str, *, ambiguous: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.ambiguous = ambiguous


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
        client = self._client or aws.client("sns")
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
            raise SendFailed(f"no answer from SNS: {error}", ambiguous=True) from error
        except (ConnectionError, ClientError, BotoCoreError) as error:
            raise SendFailed(f"SNS refused: {type(error).__name__}") from error
        return str(response["MessageId"])


class DeliveryResult(BaseModel):
    notification_id: str
    state: str
    attempts: int = 0
    language: str = ""
    text: str = ""
    reason: str = ""


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
    left alone. Returns what happened to each entry it looked at.
    """
    now = time.time() if now is None else now
    sender = sender or SnsSmsSender()
    ids = list(notification_ids) if notification_ids is not None else outbox.due_ids(now, limit)
    return [_deliver_one(notification_id, sender, now) for notification_id in ids]


def backoff_seconds(attempts: int) -> int:
    return int(min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS))


def _deliver_one(notification_id: str, sender: Sender, now: float) -> DeliveryResult:  # noqa: PLR0911
    item = outbox.claim(notification_id, now, lease_seconds=LEASE_SECONDS)
    if item is None:
        if outbox.expire_lost_lease(notification_id, now):
            metrics.add_metric(name="NotificationUnconfirmed", unit="Count", value=1)
            return DeliveryResult(notification_id=notification_id, state="unconfirmed")
        return DeliveryResult(notification_id=notification_id, state="skipped")
    attempts = int(item["attempts"])
    try:
        notification = Notification.model_validate(from_item(item))
    except ValidationError as error:  # queued before its template's variables changed: never sendable
        reason = f"variables do not fit the template: {error.error_count()} errors"
        outbox.finish(notification_id, attempts, "undeliverable", reason=reason)
        return DeliveryResult(notification_id=notification_id, state="undeliverable", attempts=attempts)
    member = registry.get_member(notification.shg_id, notification.member_id)
    if member is None:
        outbox.finish(notification_id, attempts, "undeliverable", reason="member not in the registry")
        return DeliveryResult(notification_id=notification_id, state="undeliverable", attempts=attempts)
    if member.sms_opt_out:
        outbox.finish(notification_id, attempts, "opted_out")
        return DeliveryResult(notification_id=notification_id, state="opted_out", attempts=attempts)
    language = member.language
    text = render(notification.template, language, notification.variables)
    message = OutgoingMessage(
        idempotency_key=notification_id,
        phone=member.phone,
        text=text,
        template=notification.template,
        language=language,
        dlt_template_id=dlt_template_id(notification.template, language),
    )
    length = sms_length(text)
    try:
        provider_id = sender.send(message)
    except SendFailed as error:
        if error.ambiguous:
            outbox.finish(notification_id, attempts, "unconfirmed", reason=error.reason)
            return DeliveryResult(notification_id=notification_id, state="unconfirmed", attempts=attempts)
        due = int(now) + backoff_seconds(attempts)
        outbox.finish(
            notification_id,
            attempts,
            "failed",
            reason=error.reason,
            next_attempt_at=due,
            gsi1sk=f"{due:012d}#{notification_id}",
        )
        logger.warning(
            "notification send failed", extra={"notification_id": notification_id, "reason": error.reason}
        )
        metrics.add_metric(name="NotificationSendFailed", unit="Count", value=1)
        return DeliveryResult(
            notification_id=notification_id, state="failed", attempts=attempts, reason=error.reason
        )
    outbox.finish(
        notification_id,
        attempts,
        "sent",
        sent_at=int(now),
        provider_message_id=provider_id,
        language=language.value,
        text=text,
        encoding=length.encoding,
        segments=length.segments,
    )
    metrics.add_metric(name="NotificationSent", unit="Count", value=1)
    return DeliveryResult(
        notification_id=notification_id, state="sent", attempts=attempts, language=language.value, text=text
    )


def deliver_due() -> dict[str, Any]:
    """The scheduled retry of the outbox: every entry that is due (pending, or failed and backed off)."""
    results = deliver_pending()
    metrics.add_metric(name="NotificationsDue", unit="Count", value=len(results))
    states: dict[str, int] = {}
    for result in results:
        states[result.state] = states.get(result.state, 0) + 1
    return {"looked_at": len(results), "states": states}
