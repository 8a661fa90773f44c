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

PENDING_INDEX = "gsi1"  # by state partition (pending, unconfirmed) and due time
PENDING_PARTITION = "PENDING"
UNCONFIRMED_PARTITION = "UNCONFIRMED"


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


def states(notification_ids: list[str]) -> dict[str, str]:
    """The delivery state of each of these notifications the outbox holds (ids and states only)."""
    if not notification_ids:
        return {}
    keys = [notification_key(nid) for nid in notification_ids]
    found = batch_get({settings().OUTBOX_TABLE: keys}, attributes=("notification_id", "state"))
    return {str(item["notification_id"]): str(item.get("state", "pending")) for _, item in found}


# --- delivery states (chalicelib/notify/sender.py drives them) ------------------------------------
#
# pending -> sending (claimed, with a lease and a claim token) -> sent | failed (due again later, back
# in the PENDING index) | unconfirmed (in the UNCONFIRMED index) | opted_out | undeliverable.


def read(notification_id: str) -> dict[str, Any] | None:
    """The entry as it is now (a consistent read: it may have been written a moment ago)."""
    item: dict[str, Any] | None = (
        _table().get_item(Key=notification_key(notification_id), ConsistentRead=True).get("Item")
    )
    return item


def due(now: float, limit: int) -> list[dict[str, Any]]:
    """Entries pending, or failed and due again, at `now` (oldest first; the index is eventually
    consistent, so every transition below is conditional)."""
    condition = Key("gsi1pk").eq(PENDING_PARTITION) & Key("gsi1sk").lte(f"{int(now):012d}#\uffff")
    response = _table().query(IndexName=PENDING_INDEX, KeyConditionExpression=condition, Limit=limit)
    items: list[dict[str, Any]] = response["Items"]
    return items


def is_due(entry: dict[str, Any], now: float) -> bool:
    state = entry.get("state")
    return state == "pending" or (state == "failed" and int(entry.get("next_attempt_at", 0)) <= now)


def claim(
    notification_id: str, token: str, now: float, *, lease_until: int, text: str, language: str
) -> int | None:
    """pending, or failed and due -> sending under `token`, keeping the text about to be sent; the
    attempt number, or None if the entry is not ours to send. botocore may repeat this update after a
    lost answer: the repeat fails its condition, and the token tells our own success from another's."""
    try:
        response = _table().update_item(
            Key=notification_key(notification_id),
            UpdateExpression="SET #state = :sending, lease_until = :lease, claim_token = :token, "
            "#text = :text, #language = :language ADD attempts :one",
            ConditionExpression="attribute_exists(pk) AND (#state = :pending OR "
            "(#state = :failed AND next_attempt_at <= :now))",
            ExpressionAttributeNames={"#state": "state", "#text": "text", "#language": "language"},
            ExpressionAttributeValues={
                ":sending": "sending",
                ":pending": "pending",
                ":failed": "failed",
                ":lease": lease_until,
                ":now": int(now),
                ":one": 1,
                ":token": token,
                ":text": text,
                ":language": language,
            },
            ReturnValues="UPDATED_NEW",
        )
    except ClientError as error:
        if not is_conditional_failure(error):
            raise
        current = read(notification_id) or {}
        if current.get("claim_token") != token or current.get("state") != "sending":
            return None
        return int(current["attempts"])
    return int(response["Attributes"]["attempts"])


def _update_if(notification_id: str, update: str, condition: str, values: dict[str, Any]) -> bool:
    """One conditional transition of an entry (`#state` names its state); False if the condition failed."""
    try:
        _table().update_item(
            Key=notification_key(notification_id),
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=values,
        )
    except ClientError as error:
        if is_conditional_failure(error):
            return False
        raise
    return True


def release(notification_id: str, token: str, now: float) -> bool:
    """Undo our claim (nothing was sent): due again at once. False if there was no such claim."""
    return _update_if(
        notification_id,
        "SET #state = :failed, next_attempt_at = :now, gsi1pk = :pending, gsi1sk = :due "
        "REMOVE lease_until, claim_token",
        "#state = :sending AND claim_token = :token",
        {
            ":failed": "failed",
            ":sending": "sending",
            ":token": token,
            ":now": int(now),
            ":pending": PENDING_PARTITION,
            ":due": f"{int(now):012d}#{notification_id}",
        },
    )


def _index_keys(state: str, notification_id: str, at: int) -> tuple[dict[str, Any], list[str]]:
    """gsi1 keys for a state: failed entries by due time, unconfirmed ones by when; none for the rest."""
    if state in ("failed", "pending"):
        return {"gsi1pk": PENDING_PARTITION, "gsi1sk": f"{at:012d}#{notification_id}"}, []
    if state == "unconfirmed":
        return {"gsi1pk": UNCONFIRMED_PARTITION, "gsi1sk": f"{at:012d}#{notification_id}"}, []
    return {}, ["gsi1pk", "gsi1sk"]


def settle(notification_id: str, token: str, state: str, at: int, **fields: Any) -> bool:
    """Record the outcome of our claim (`at`: when a failed entry is due again, else now); False if
    the entry moved on without us. Also applies when the lease ran out meanwhile and the entry was
    marked unconfirmed: our outcome is better knowledge. A repeat of this update after a lost answer
    finds the outcome already there (True)."""
    index, removes = _index_keys(state, notification_id, at)
    names = {"#state": "state"}
    values: dict[str, Any] = {
        ":state": state,
        ":sending": "sending",
        ":unconfirmed": "unconfirmed",
        ":token": token,
    }
    sets = ["#state = :state"]
    for position, (name, value) in enumerate({**fields, **index}.items()):
        names[f"#f{position}"] = name
        values[f":f{position}"] = value
        sets.append(f"#f{position} = :f{position}")
    try:
        _table().update_item(
            Key=notification_key(notification_id),
            UpdateExpression=f"SET {', '.join(sets)} REMOVE {', '.join(['lease_until', *removes])}",
            ConditionExpression="claim_token = :token AND #state IN (:sending, :unconfirmed)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
    except ClientError as error:
        if not is_conditional_failure(error):
            raise
        current = read(notification_id) or {}
        return current.get("claim_token") == token and current.get("state") == state
    return True


def expire_lease(notification_id: str, now: float, reason: str) -> bool:
    """sending whose lease ran out -> unconfirmed with `reason`; False if it is not (any more)."""
    index, _ = _index_keys("unconfirmed", notification_id, int(now))
    return _update_if(
        notification_id,
        "SET #state = :unconfirmed, reason = :reason, unconfirmed_at = :now, gsi1pk = :ipk, gsi1sk = :isk "
        "REMOVE lease_until",
        "#state = :sending AND lease_until < :now",
        {
            ":unconfirmed": "unconfirmed",
            ":sending": "sending",
            ":now": int(now),
            ":reason": reason,
            ":ipk": index["gsi1pk"],
            ":isk": index["gsi1sk"],
        },
    )


def unconfirmed(limit: int = 100) -> list[dict[str, Any]]:
    """Entries whose SMS may or may not have reached the phone, oldest first, with the reason."""
    condition = Key("gsi1pk").eq(UNCONFIRMED_PARTITION)
    response = _table().query(IndexName=PENDING_INDEX, KeyConditionExpression=condition, Limit=limit)
    return [from_item(item) for item in response["Items"]]


def resolve_unconfirmed(notification_id: str, *, resend: bool, now: float) -> bool:
    """An operator's decision on an unconfirmed entry: `resend` it (it did not arrive; pending again)
    or close it as delivered (it did: sent). False if it is not unconfirmed."""
    state = "pending" if resend else "sent"
    index, removes = _index_keys(state, notification_id, int(now))
    values: dict[str, Any] = {
        ":state": state,
        ":unconfirmed": "unconfirmed",
        ":now": int(now),
        ":resolution": "resent by an operator" if resend else "confirmed delivered by an operator",
    }
    sets = ["#state = :state", "resolved_at = :now", "resolution = :resolution"]
    for name, value in index.items():
        sets.append(f"{name} = :{name}")
        values[f":{name}"] = value
    removes = [*removes, "claim_token"] if resend else removes
    update = f"SET {', '.join(sets)}" + (f" REMOVE {', '.join(removes)}" if removes else "")
    return _update_if(notification_id, update, "#state = :unconfirmed", values)
