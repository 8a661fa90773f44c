"""DynamoDB storage for orders: one batched read and one transaction per event (key design in the README).

Items of the orders table, under pk=ORDER#{channel}#{channel_order_id}:
- sk=ORDER: the OrderRecord (with gsi1 "OPEN" keys while the order waits for dispatch);
- sk=EVENT#{event_id}: one per processed event - the dedupe marker and the status history;
- sk=PARKED: events that arrived before their order, replayed when it does.
Quarantined messages live at pk=QUARANTINE, sk={message_id} (or {message_id}#{event_id} for one
event of a message of several).

The only module that builds this table's keys (webhook dedupe markers aside); the registry's SKU
pointers and stock, and the outbox's notifications, are read and written through their owners.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import batch_get, from_item, put_once, query_all, serialize, to_item, transact
from chalicelib.notify import outbox
from chalicelib.orders.models import OPEN_STATUSES, OrderEvent, OrderRecord
from chalicelib.registry import repository as registry

QUARANTINE_PK = "QUARANTINE"
QUARANTINE_RETENTION_SECONDS = 30 * 24 * 3600
OPEN_INDEX = "gsi1"
OPEN_PARTITION = "OPEN"


def _table() -> Any:
    return aws.table(settings().ORDERS_TABLE)


def order_pk(channel: str, channel_order_id: str) -> str:
    return f"ORDER#{channel}#{channel_order_id}"


@dataclass
class Snapshot:
    """Everything one event needs to know, read in one BatchGetItem."""

    record: OrderRecord | None = None
    seen: bool = False  # this event_id is already in the order's history
    parked: list[OrderEvent] = field(default_factory=list)
    pointers: dict[str, dict[str, Any]] = field(default_factory=dict)  # channel_sku -> SKU pointer


def read_snapshot(event: OrderEvent) -> Snapshot:
    """The order, its parked events, whether this event was seen, and the SKU pointers of its lines."""
    orders_table, registry_table = settings().ORDERS_TABLE, registry.table_name()
    pk = order_pk(event.channel, event.channel_order_id)
    keys = {orders_table: [{"pk": pk, "sk": sk} for sk in ("ORDER", "PARKED", f"EVENT#{event.event_id}")]}
    skus = sorted({line.channel_sku for line in event.lines})
    if skus:
        keys[registry_table] = [registry.sku_key(sku, event.channel.value) for sku in skus]
    snapshot = Snapshot()
    for table, item in batch_get(keys, consistent=frozenset({orders_table})):
        if table == registry_table:
            snapshot.pointers[registry.pointer_sku(item)] = from_item(item)
        elif item["sk"] == "ORDER":
            snapshot.record = OrderRecord.model_validate(from_item(item))
        elif item["sk"] == "PARKED":
            snapshot.parked = [OrderEvent.model_validate_json(raw) for raw in item.get("events", [])]
        else:
            snapshot.seen = True
    return snapshot


def records(orders: list[tuple[str, str]]) -> dict[tuple[str, str], OrderRecord]:
    """The stored records of (channel, channel_order_id) pairs, for those Haat has (BatchGetItem)."""
    keys = [{"pk": order_pk(channel, order_id), "sk": "ORDER"} for channel, order_id in dict.fromkeys(orders)]
    found = {}
    for _, item in batch_get({settings().ORDERS_TABLE: keys}):
        record = OrderRecord.model_validate(from_item(item))
        found[(record.channel.value, record.channel_order_id)] = record
    return found


# --- transaction parts -------------------------------------------------------------------


def order_item(record: OrderRecord) -> dict[str, Any]:
    keys: dict[str, Any] = {"pk": order_pk(record.channel, record.channel_order_id), "sk": "ORDER"}
    if record.status in OPEN_STATUSES and record.dispatch_by is not None:
        keys["gsi1pk"] = OPEN_PARTITION
        keys["gsi1sk"] = f"{_iso(record.dispatch_by)}#{record.channel}#{record.channel_order_id}"
    return to_item(record, **keys)


def put_order(record: OrderRecord, *, previous_version: int | None) -> dict[str, Any]:
    """Create the order (it must not exist) or replace it (it must still be at `previous_version`)."""
    put: dict[str, Any] = {"TableName": settings().ORDERS_TABLE, "Item": serialize(order_item(record))}
    if previous_version is None:
        put["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        put["ConditionExpression"] = "version = :v"
        put["ExpressionAttributeValues"] = serialize({":v": previous_version})
    return {"Put": put}


def order_absent(event: OrderEvent) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "TableName": settings().ORDERS_TABLE,
            "Key": serialize({"pk": order_pk(event.channel, event.channel_order_id), "sk": "ORDER"}),
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def put_history(
    event: OrderEvent,
    outcome: str,
    reason: str = "",
    *,
    message_id: str = "",
    notification_ids: Iterable[str] = (),
) -> dict[str, Any]:
    """The event's history entry; its key is the dedupe marker, so it may be written only once."""
    item = {
        "pk": order_pk(event.channel, event.channel_order_id),
        "sk": f"EVENT#{event.event_id}",
        "event_id": event.event_id,
        "kind": event.kind.value,
        "status": event.status.value if event.status else None,
        "event_time": _iso(event.event_time),
        "received_at": int(time.time()),
        "outcome": outcome,
        "reason": reason,
        "message_id": message_id,
        "notification_ids": list(notification_ids),
    }
    return {
        "Put": {
            "TableName": settings().ORDERS_TABLE,
            "Item": serialize({k: v for k, v in item.items() if v is not None}),
            "ConditionExpression": "attribute_not_exists(sk)",
        }
    }


def park(event: OrderEvent) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": settings().ORDERS_TABLE,
            "Key": serialize({"pk": order_pk(event.channel, event.channel_order_id), "sk": "PARKED"}),
            "UpdateExpression": "SET events = list_append(if_not_exists(events, :empty), :event)",
            "ExpressionAttributeValues": serialize({":empty": [], ":event": [event.model_dump_json()]}),
        }
    }


def unpark(event: OrderEvent, count: int) -> dict[str, Any]:
    """Drop the parked events just replayed (only if no new one was parked meanwhile)."""
    return {
        "Delete": {
            "TableName": settings().ORDERS_TABLE,
            "Key": serialize({"pk": order_pk(event.channel, event.channel_order_id), "sk": "PARKED"}),
            "ConditionExpression": "size(events) = :n",
            "ExpressionAttributeValues": serialize({":n": count}),
        }
    }


def commit(items: list[dict[str, Any]]) -> None:
    """Commit one order change's items in one transaction (TransactionCancelled names the failures)."""
    transact(items)


# --- reads for the API and the CLI ----------------------------------------------------------


def order_view(channel: str, channel_order_id: str) -> dict[str, Any] | None:
    """The order, its history (oldest first) and its notifications as the outbox has them."""
    items = list(query_all(_table(), Key("pk").eq(order_pk(channel, channel_order_id))))
    record = next((from_item(i) for i in items if i["sk"] == "ORDER"), None)
    history = sorted((from_item(i) for i in items if str(i["sk"]).startswith("EVENT#")), key=_history_order)
    parked = next((i for i in items if i["sk"] == "PARKED"), None)
    if record is None and not history:
        return None
    ids = sorted({nid for entry in history for nid in entry.get("notification_ids", [])})
    return {
        "order": record,
        "history": history,
        "parked_events": len(parked.get("events", [])) if parked else 0,
        "notifications": outbox.get_many(ids),
    }


def event_entry(
    channel: str, channel_order_id: str, event_id: str
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """An event's history entry (None while it is not recorded) and its order, in one read."""
    pk = order_pk(channel, channel_order_id)
    keys = [{"pk": pk, "sk": f"EVENT#{event_id}"}, {"pk": pk, "sk": "ORDER"}]
    table = settings().ORDERS_TABLE
    items = {
        str(item["sk"]): from_item(item)
        for _, item in batch_get({table: keys}, consistent=frozenset({table}))
    }
    return items.get(f"EVENT#{event_id}"), items.get("ORDER", {})


def _history_order(entry: dict[str, Any]) -> tuple[str, int]:
    return (str(entry.get("event_time", "")), int(entry.get("received_at", 0)))


def claim_webhook_signature(digest: str, *, expires_at: int) -> bool:
    """Record a webhook signature's first use; False if it was used before (a replay)."""
    return put_once(_table(), {"pk": f"WEBHOOK#{digest}", "sk": "SEEN", "expires_at": expires_at})


def release_webhook_signature(digest: str) -> None:
    """Remove a claimed replay marker (its request could not be queued)."""
    _table().delete_item(Key={"pk": f"WEBHOOK#{digest}", "sk": "SEEN"})


def quarantine(message_id: str, channel: str, reason: str, body: str, received_at: str) -> None:
    """Keep a message no adapter could map, with the reason, for operators (expires after 30 days)."""
    _table().put_item(
        Item={
            "pk": QUARANTINE_PK,
            "sk": message_id,
            "channel": channel,
            "reason": reason[:1000],
            "body": body[:100_000],
            "received_at": received_at,
            "quarantined_at": int(time.time()),
            "expires_at": int(time.time()) + QUARANTINE_RETENTION_SECONDS,
        }
    )


def quarantined_message(message_id: str) -> dict[str, dict[str, Any]]:
    """The quarantine entries of one message: the message itself (sk = its id), or single events of
    a message of several (sk = "{message id}#{event id}")."""
    condition = Key("pk").eq(QUARANTINE_PK) & Key("sk").begins_with(message_id)
    return {str(item["sk"]): from_item(item) for item in query_all(_table(), condition, ConsistentRead=True)}


def quarantined(limit: int = 100) -> list[dict[str, Any]]:
    items = _table().query(KeyConditionExpression=Key("pk").eq(QUARANTINE_PK), Limit=limit)["Items"]
    return [{"message_id": i["sk"], **from_item(i)} for i in items]


def open_orders_due(deadline_before: datetime) -> Iterator[dict[str, Any]]:
    """Items of open orders whose dispatch_by is at or before `deadline_before` (to the second),
    from the "OPEN" index (gsi1, sorted by deadline), page by page.

    gsi1sk starts with the UTC ISO deadline, so a second-precision prefix followed by "~" (after
    every character an ISO suffix can contain) bounds the range whatever the sub-second format.
    """
    bound = deadline_before.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S") + "~"
    condition = Key("gsi1pk").eq(OPEN_PARTITION) & Key("gsi1sk").lte(bound)
    return query_all(_table(), condition, IndexName=OPEN_INDEX)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
