"""The outbox table: notifications are written here (with the change that caused them, in one
transaction where possible) and a sender delivers them."""

from __future__ import annotations

import time
from typing import Any

from boto3.dynamodb.types import TypeSerializer

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import put_once, to_item
from chalicelib.notify.models import Notification


def outbox_put(notification: Notification) -> dict[str, Any]:
    """A TransactWriteItems `Put` that enqueues `notification` once (for use inside a transaction).

    Items use the low-level attribute-value format, as TransactWriteItems needs.
    """
    serializer = TypeSerializer()
    item = _item(notification)
    return {
        "Put": {
            "TableName": settings().OUTBOX_TABLE,
            "Item": {k: serializer.serialize(v) for k, v in item.items()},
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def _item(notification: Notification) -> dict[str, Any]:
    now = int(time.time())
    return to_item(
        notification,
        pk=f"NOTIF#{notification.notification_id}",
        sk="NOTIF",
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
    response = aws.table(settings().OUTBOX_TABLE).get_item(
        Key={"pk": f"NOTIF#{notification_id}", "sk": "NOTIF"}
    )
    item: dict[str, Any] | None = response.get("Item")
    return item
