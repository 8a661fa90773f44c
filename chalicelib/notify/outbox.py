"""The outbox table: notifications are written here (with the change that caused them, in one
transaction where possible) and a sender delivers them. The only module that builds its keys."""

from __future__ import annotations

import time
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import batch_get, from_item, is_conditional_failure, put_once, serialize, to_item
from chalicelib.notify.models import Notification, variables_of

PENDING_INDEX = "gsi1"
PENDING_PARTITION = "PENDING"
# States an entry never leaves: they drop out of the pending index.
FINAL_STATES = frozenset({"sent", "opted_out", "unconfirmed", "undeliverable"})


def _table() -> Any:
    return aws.table(settings().OUTBOX_TABLE)


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
    variables_of(notification.template, notification.variables)  # even a model built unchecked
    now = int(time.time())
    return to_item(
        notification,
        **notification_key(notification.notification_id),
        gsi1pk=PENDING_PARTITION,
        gsi1sk=f"{now:012d}#{notification.notification_id}",
        state="pending",
        attempts=0,
        created_at=now,
    )


def enqueue(notification: Notification) -> bool:
    """Put `notification` in the outbox unless it is already there; True if it was new."""
    return put_once(_table(), _item(notification))


def get(notification_id: str) -> dict[str, Any] | None:
    response = _table().get_item(Key=notification_key(notification_id))
    item: dict[str, Any] | None = response.get("Item")
    return item


def get_many(notification_ids: list[str]) -> list[dict[str, Any]]:
    """The notifications with these ids as plain values (sorted by id); missing ones are left out."""
    if not notification_ids:
        return []
    keys = [notification_key(nid) for nid in notification_ids]
    found = [from_item(item) for _, item in batch_get({settings().OUTBOX_TABLE: keys})]
    return sorted(found, key=lambda n: str(n.get("notification_id")))


def due_ids(now: float, limit: int) -> list[str]:
    """Ids of pending entries (and failed ones whose retry is due) up to `now`, oldest first."""
    condition = Key("gsi1pk").eq(PENDING_PARTITION) & Key("gsi1sk").lte(f"{int(now):012d}#\uffff")
    response = _table().query(IndexName=PENDING_INDEX, KeyConditionExpression=condition, Limit=limit)
    return [str(item["pk"]).removeprefix("NOTIF#") for item in response["Items"]]


def claim(notification_id: str, now: float, *, lease_seconds: int) -> dict[str, Any] | None:
    """Take the entry for sending (leased for `lease_seconds`), or None if it is not ours to send now."""
    try:
        response = _table().update_item(
            Key=notification_key(notification_id),
            UpdateExpression="SET #state = :sending, lease_until = :lease ADD attempts :one",
            ConditionExpression="attribute_exists(pk) AND (#state = :pending OR "
            "(#state = :failed AND next_attempt_at <= :now))",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={
                ":sending": "sending",
                ":pending": "pending",
                ":failed": "failed",
                ":lease": int(now) + lease_seconds,
                ":now": int(now),
                ":one": 1,
            },
            ReturnValues="ALL_NEW",
        )
    except ClientError as error:
        if is_conditional_failure(error):
            return None
        raise
    item: dict[str, Any] = response["Attributes"]
    return item


def finish(notification_id: str, attempts: int, state: str, **fields: Any) -> None:
    """Leave `sending` for a final state (out of the pending index) or `failed` (back into it)."""
    names = {"#state": "state"}
    values: dict[str, Any] = {":state": state, ":sending": "sending", ":attempts": attempts}
    sets = ["#state = :state"]
    for index, (name, value) in enumerate(fields.items()):
        names[f"#f{index}"] = name
        values[f":f{index}"] = value
        sets.append(f"#f{index} = :f{index}")
    removes = ["lease_until"] + (["gsi1pk", "gsi1sk"] if state in FINAL_STATES else [])
    _table().update_item(
        Key=notification_key(notification_id),
        UpdateExpression=f"SET {', '.join(sets)} REMOVE {', '.join(removes)}",
        ConditionExpression="#state = :sending AND attempts = :attempts",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def expire_lost_lease(notification_id: str, now: float) -> bool:
    """A `sending` entry whose lease ran out: the deliverer crashed mid-send. Mark it unconfirmed."""
    try:
        _table().update_item(
            Key=notification_key(notification_id),
            UpdateExpression="SET #state = :unconfirmed, reason = :reason REMOVE gsi1pk, gsi1sk, lease_until",
            ConditionExpression="#state = :sending AND lease_until < :now",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={
                ":unconfirmed": "unconfirmed",
                ":sending": "sending",
                ":now": int(now),
                ":reason": "deliverer stopped mid-send; not re-sent to avoid a duplicate SMS",
            },
        )
    except ClientError as error:
        if is_conditional_failure(error):
            return False
        raise
    return True
