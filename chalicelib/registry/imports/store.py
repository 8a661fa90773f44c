"""Import records in the ops table (key design in the README).

pk=REGISTRY_IMPORT#{id}: sk=IMPORT (the record and its counters), sk=ROW#{row}#{n} (one note of a
row: error or warning), sk=CHUNK#{n} (a chunk's outcome, counted into the record once).
pk=REGISTRY_IMPORTS, sk={id}: the list of imports, newest last (ids start with their UTC time).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import TransactionCancelled, from_item, put_once, serialize, transact
from chalicelib.registry.imports.models import ImportRecord, Status
from chalicelib.registry.imports.rows import RowError

LIST_PK = "REGISTRY_IMPORTS"
COUNTERS = ("created", "updated", "unchanged", "rejected")


def _table() -> Any:
    return aws.table(settings().OPS_TABLE)


def _pk(import_id: str) -> str:
    return f"REGISTRY_IMPORT#{import_id}"


def _item(fields: Mapping[str, Any]) -> dict[str, Any]:
    return dict(json.loads(json.dumps(dict(fields), default=str), parse_float=Decimal))


def create(record: ImportRecord) -> None:
    table = _table()
    table.put_item(
        Item={"pk": _pk(record.import_id), "sk": "IMPORT", **_item(record.model_dump(mode="json"))}
    )
    table.put_item(
        Item={
            "pk": LIST_PK,
            "sk": record.import_id,
            "district": record.importer.district,
            "created_by": record.created_by,
        }
    )


def get(import_id: str) -> ImportRecord | None:
    item = _table().get_item(Key={"pk": _pk(import_id), "sk": "IMPORT"}, ConsistentRead=True).get("Item")
    return ImportRecord.model_validate(from_item(item)) if item else None


def update(import_id: str, **fields: Any) -> None:
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    values = _item({f":v{i}": value for i, value in enumerate(fields.values())})
    _table().update_item(
        Key={"pk": _pk(import_id), "sk": "IMPORT"},
        UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def complete_if_done(import_id: str, finished_at: str) -> bool:
    """Mark the import completed once every chunk is sent and counted (only the last caller does)."""
    try:
        _table().update_item(
            Key={"pk": _pk(import_id), "sk": "IMPORT"},
            UpdateExpression="SET #status = :done, finished_at = :at",
            ConditionExpression="chunks_sent = :yes AND chunks_done = chunks_total AND #status = :applying",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={
                ":done": Status.COMPLETED.value,
                ":at": finished_at,
                ":yes": True,
                ":applying": Status.APPLYING.value,
            },
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise
    return True


def add_notes(import_id: str, notes: Iterable[tuple[str, RowError]]) -> int:
    """Keep row notes ("error" or "warning"); the same note written twice is one item."""
    count = 0
    seen: dict[int, int] = {}
    with _table().batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
        for level, note in notes:
            index = seen.get(note.row, 0)
            seen[note.row] = index + 1
            batch.put_item(
                Item={
                    "pk": _pk(import_id),
                    "sk": f"ROW#{note.row:08d}#{index:02d}",
                    "level": level,
                    **note.model_dump(),
                }
            )
            count += 1
    return count


def notes(import_id: str, limit: int) -> tuple[list[tuple[str, RowError]], bool]:
    """Up to `limit` row notes in row order, and whether there are more."""
    found: list[tuple[str, RowError]] = []
    request: dict[str, Any] = {
        "KeyConditionExpression": Key("pk").eq(_pk(import_id)) & Key("sk").begins_with("ROW#"),
    }
    while True:
        page = _table().query(**request)
        for item in page["Items"]:
            if len(found) == limit:
                return found, True
            fields = from_item(item)
            found.append((str(fields.pop("level")), RowError.model_validate(fields)))
        if "LastEvaluatedKey" not in page:
            return found, False
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def chunk(import_id: str, index: int) -> dict[str, Any] | None:
    item = _table().get_item(Key={"pk": _pk(import_id), "sk": f"CHUNK#{index:06d}"}, ConsistentRead=True)
    return from_item(item["Item"]) if "Item" in item else None


def plan_chunk(import_id: str, index: int, counts: Mapping[str, int]) -> dict[str, Any]:
    """Record a chunk's planned outcome once; a redelivered chunk gets the first attempt's counts."""
    item = {"pk": _pk(import_id), "sk": f"CHUNK#{index:06d}", "counted": False, **counts}
    if put_once(_table(), item):
        return dict(counts)
    return chunk(import_id, index) or dict(counts)


def count_chunk(import_id: str, index: int, counts: Mapping[str, int]) -> None:
    """Add a chunk's counts to the record, exactly once (with the chunk's `counted` flag)."""
    table = settings().OPS_TABLE
    adds = {name: int(counts.get(name, 0)) for name in (*COUNTERS, "errors_kept")}
    try:
        transact(
            [
                {
                    "Update": {
                        "TableName": table,
                        "Key": serialize({"pk": _pk(import_id), "sk": f"CHUNK#{index:06d}"}),
                        "UpdateExpression": "SET counted = :yes",
                        "ConditionExpression": "counted = :no",
                        "ExpressionAttributeValues": serialize({":yes": True, ":no": False}),
                    }
                },
                {
                    "Update": {
                        "TableName": table,
                        "Key": serialize({"pk": _pk(import_id), "sk": "IMPORT"}),
                        "UpdateExpression": "ADD chunks_done :one, "
                        + ", ".join(f"{name} :{name}" for name in adds),
                        "ExpressionAttributeValues": serialize(
                            {":one": 1, **{f":{name}": value for name, value in adds.items()}}
                        ),
                    }
                },
            ]
        )
    except TransactionCancelled as cancelled:
        if cancelled.codes[:1] != ["ConditionalCheckFailed"]:  # else: counted by an earlier delivery
            raise


def recent(limit: int) -> list[tuple[str, dict[str, Any]]]:
    """(import id, list entry) of the newest imports first."""
    response = _table().query(
        KeyConditionExpression=Key("pk").eq(LIST_PK), ScanIndexForward=False, Limit=limit
    )
    return [(str(item["sk"]), from_item(item)) for item in response["Items"]]
