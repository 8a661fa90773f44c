"""DynamoDB storage for orders: one batched read and one transaction per event (key design in the README).

Items of the orders table, under pk=ORDER#{channel}#{channel_order_id}:
- sk=ORDER: the OrderRecord (with gsi1 "OPEN" keys while the order waits for dispatch);
- sk=EVENT#{event_id}: one per processed event - the dedupe marker and the status history;
- sk=PARKED: events that arrived before their order, replayed when it does.
Quarantined messages live at pk=QUARANTINE, sk={message_id}.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import from_item, to_item
from chalicelib.orders.models import OPEN_STATUSES, OrderEvent, OrderRecord
from chalicelib.registry.repository import sku_key

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
QUARANTINE_PK = "QUARANTINE"
QUARANTINE_RETENTION_SECONDS = 30 * 24 * 3600


def order_pk(channel: str, channel_order_id: str) -> str:
    return f"ORDER#{channel}#{channel_order_id}"


def _low(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items()}


def _high(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


@dataclass
class Snapshot:
    """Everything one event needs to know, read in one BatchGetItem."""

    record: OrderRecord | None = None
    seen: bool = False  # this event_id is already in the order's history
    parked: list[OrderEvent] = field(default_factory=list)
    pointers: dict[str, dict[str, Any]] = field(default_factory=dict)  # channel_sku -> SKU pointer


def read_snapshot(event: OrderEvent) -> Snapshot:
    """The order, its parked events, whether this event was seen, and the SKU pointers of its lines."""
    config = settings()
    pk = order_pk(event.channel, event.channel_order_id)
    skus = sorted({line.channel_sku for line in event.lines})
    request: dict[str, Any] = {
        config.ORDERS_TABLE: {
            "Keys": [_low({"pk": pk, "sk": sk}) for sk in ("ORDER", "PARKED", f"EVENT#{event.event_id}")],
            "ConsistentRead": True,
        }
    }
    if skus:
        request[config.REGISTRY_TABLE] = {"Keys": [_low(sku_key(sku, event.channel.value)) for sku in skus]}
    snapshot = Snapshot()
    for table, item in _batch_get(request):
        if table == config.REGISTRY_TABLE:
            snapshot.pointers[str(item["pk"]).split("#", 2)[2]] = from_item(item)
        elif item["sk"] == "ORDER":
            snapshot.record = OrderRecord.model_validate(from_item(item))
        elif item["sk"] == "PARKED":
            snapshot.parked = [OrderEvent.model_validate_json(raw) for raw in item.get("events", [])]
        else:
            snapshot.seen = True
    return snapshot


def products(product_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Product profiles by id (price and stock), in one BatchGetItem."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    table = settings().REGISTRY_TABLE
    request = {table: {"Keys": [_low({"pk": f"PRODUCT#{pid}", "sk": "PROFILE"}) for pid in ids]}}
    return {str(item["product_id"]): from_item(item) for _, item in _batch_get(request)}


def coordinators(shg_ids: Iterable[str]) -> dict[str, str]:
    """shg_id -> the member id of its cluster coordinator, for SHGs that have one."""
    ids = sorted(set(shg_ids))
    if not ids:
        return {}
    table = settings().REGISTRY_TABLE
    request = {table: {"Keys": [_low({"pk": f"SHG#{shg_id}", "sk": "PROFILE"}) for shg_id in ids]}}
    return {
        str(item["shg_id"]): str(item["coordinator_member_id"])
        for _, item in _batch_get(request)
        if item.get("coordinator_member_id")
    }


def _batch_get(request: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    client = aws.client("dynamodb")
    while request:
        response = client.batch_get_item(RequestItems=request)
        for table, items in response.get("Responses", {}).items():
            found.extend((table, _high(item)) for item in items)
        request = response.get("UnprocessedKeys") or {}
    return found


# --- transaction parts -------------------------------------------------------------------


def order_item(record: OrderRecord) -> dict[str, Any]:
    keys: dict[str, Any] = {"pk": order_pk(record.channel, record.channel_order_id), "sk": "ORDER"}
    if record.status in OPEN_STATUSES and record.dispatch_by is not None:
        keys["gsi1pk"] = "OPEN"
        keys["gsi1sk"] = f"{_iso(record.dispatch_by)}#{record.channel}#{record.channel_order_id}"
    return to_item(record, **keys)


def put_order(record: OrderRecord, *, previous_version: int | None) -> dict[str, Any]:
    """Create the order (it must not exist) or replace it (it must still be at `previous_version`)."""
    put: dict[str, Any] = {"TableName": settings().ORDERS_TABLE, "Item": _low(order_item(record))}
    if previous_version is None:
        put["ConditionExpression"] = "attribute_not_exists(pk)"
    else:
        put["ConditionExpression"] = "version = :v"
        put["ExpressionAttributeValues"] = {":v": _serializer.serialize(previous_version)}
    return {"Put": put}


def order_absent(event: OrderEvent) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "TableName": settings().ORDERS_TABLE,
            "Key": _low({"pk": order_pk(event.channel, event.channel_order_id), "sk": "ORDER"}),
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
            "Item": _low({k: v for k, v in item.items() if v is not None}),
            "ConditionExpression": "attribute_not_exists(sk)",
        }
    }


def park(event: OrderEvent) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": settings().ORDERS_TABLE,
            "Key": _low({"pk": order_pk(event.channel, event.channel_order_id), "sk": "PARKED"}),
            "UpdateExpression": "SET events = list_append(if_not_exists(events, :empty), :event)",
            "ExpressionAttributeValues": _low({":empty": [], ":event": [event.model_dump_json()]}),
        }
    }


def unpark(event: OrderEvent, count: int) -> dict[str, Any]:
    """Drop the parked events just replayed (only if no new one was parked meanwhile)."""
    return {
        "Delete": {
            "TableName": settings().ORDERS_TABLE,
            "Key": _low({"pk": order_pk(event.channel, event.channel_order_id), "sk": "PARKED"}),
            "ConditionExpression": "size(events) = :n",
            "ExpressionAttributeValues": _low({":n": count}),
        }
    }


def take_stock(product_id: str, quantity: int) -> dict[str, Any]:
    return {
        "Update": {
            "TableName": settings().REGISTRY_TABLE,
            "Key": _low({"pk": f"PRODUCT#{product_id}", "sk": "PROFILE"}),
            "UpdateExpression": "SET stock = stock - :q",
            "ConditionExpression": "stock >= :q",
            "ExpressionAttributeValues": _low({":q": quantity}),
        }
    }


def clear_stock(product_id: str, quantity: int) -> dict[str, Any]:
    """An oversold product: what was left is sold (stock never goes below zero)."""
    return {
        "Update": {
            "TableName": settings().REGISTRY_TABLE,
            "Key": _low({"pk": f"PRODUCT#{product_id}", "sk": "PROFILE"}),
            "UpdateExpression": "SET stock = :zero",
            "ConditionExpression": "attribute_exists(pk) AND stock < :q",
            "ExpressionAttributeValues": _low({":zero": 0, ":q": quantity}),
        }
    }


class TransactionConflict(Exception):
    """Some condition failed; `codes` has one entry per item ("None" for the ones that were fine)."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(",".join(codes))
        self.codes = codes


def commit(items: list[dict[str, Any]]) -> None:
    try:
        aws.client("dynamodb").transact_write_items(TransactItems=items)
    except ClientError as error:
        if error.response["Error"]["Code"] != "TransactionCanceledException":
            raise
        reasons = error.response.get("CancellationReasons") or []
        codes = [str(reason.get("Code", "None")) for reason in reasons]
        if not codes or any(code not in {"None", "ConditionalCheckFailed"} for code in codes):
            raise
        raise TransactionConflict(codes) from error


# --- reads for the API and the CLI ----------------------------------------------------------


def order_view(channel: str, channel_order_id: str) -> dict[str, Any] | None:
    """The order, its history (oldest first) and its notifications as the outbox has them."""
    items = aws.table(settings().ORDERS_TABLE).query(
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": order_pk(channel, channel_order_id)},
    )["Items"]
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
        "notifications": notifications(ids),
    }


def notifications(ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    table = settings().OUTBOX_TABLE
    found: list[dict[str, Any]] = []
    for start in range(0, len(ids), 100):
        chunk = ids[start : start + 100]
        request = {table: {"Keys": [_low({"pk": f"NOTIF#{nid}", "sk": "NOTIF"}) for nid in chunk]}}
        found.extend(from_item(item) for _, item in _batch_get(request))
    return sorted(found, key=lambda n: str(n.get("notification_id")))


def _history_order(entry: dict[str, Any]) -> tuple[str, int]:
    return (str(entry.get("event_time", "")), int(entry.get("received_at", 0)))


def quarantine(message_id: str, channel: str, reason: str, body: str, received_at: str) -> None:
    """Keep a message no adapter could map, with the reason, for operators (expires after 30 days)."""
    aws.table(settings().ORDERS_TABLE).put_item(
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


def quarantined(limit: int = 100) -> list[dict[str, Any]]:
    items = aws.table(settings().ORDERS_TABLE).query(
        KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": QUARANTINE_PK}, Limit=limit
    )["Items"]
    return [{"message_id": i["sk"], **from_item(i)} for i in items]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
