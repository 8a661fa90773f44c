"""A notification waiting in the outbox. Plain pydantic; no AWS here."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Template(StrEnum):
    NEW_ORDER = "new_order"
    CANCELLATION = "cancellation"
    RETURN = "return"
    DISPATCH_REMINDER = "dispatch_reminder"
    DISPATCH_ESCALATION = "dispatch_escalation"
    PHOTO_REJECTED = "photo_rejected"
    OVERSELL_ALERT = "oversell_alert"


class Notification(BaseModel):
    """One message to one member. `notification_id` is deterministic (e.g.
    "dispatch_reminder:amazon:408-123:M01") so that enqueueing it twice is a no-op and a resend
    after a crash never reaches the phone twice."""

    model_config = ConfigDict(frozen=True)

    notification_id: str = Field(min_length=1, max_length=300)
    template: Template
    member_id: str
    shg_id: str
    variables: dict[str, str] = Field(default_factory=dict)
