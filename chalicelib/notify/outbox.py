"""The outbox table: notifications are written here (with the change that caused them, in one
transaction where possible) and a sender delivers them. The only module that builds its keys."""

from __future__ import annotations

import time
from typing import Any

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import batch_get, from_item, put_once, serialize, to_item
from chalicelib.notify.models import Notification


def notification_key(notification_id: str) -> dict[str, str]:
    return {"pk": f"NOTIF#{notification_id}", "sk": "NOTIF"}


def outbox_put(notification: Notification) -> dict[str, Any]:
    """A TransactWriteItems `Put` that enqueues `notification` once (for use inside a transaction).

    Items use the low-level attribute-value format, as TransactWriteItems needs.
    """
    return {
        "Put": {
            "TableName": settings().OUTBOX_TABLE,
            "Item": serialize(_item(notification)),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def _item(notification: Notification) -> dict[str, Any]:
    now = int(time.time())
    return to_item(
        notification,
        **notification_key(notification.notification_id),
        gsi1pk="PENDING",
        gsi1sk=f"{now:012d}#{notification.notification_id}",
        state="pending",
        attempts=0,
        created_at=now,
    )


def enqueue(notification: Notification) -> bool:
    """Put `notification` in the outbox unless it is already there; True if it was new."""
    return put_once(aws.table(settings().OUTBOX_TABLE), _item(notification))


def get(notification_id: str) -> dict[str, Any] | None:
    response = aws.table(settings().OUTBOX_TABLE).get_item(Key=notification_key(notification_id))
    item: dict[str, Any] | None = response.get("Item")
    return item


def get_many(notification_ids: list[str]) -> list[dict[str, Any]]:
    """The notifications with these ids as plain values (sorted by id); missing ones are left out."""
    if not notification_ids:
        return []
    keys = [notification_key(nid) for nid in notification_ids]
    found = [from_item(item) for _, item in batch_get({settings().OUTBOX_TABLE: keys})]
    return sorted(found, key=lambda n: str(n.get("notification_id")))
