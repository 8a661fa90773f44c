"""Operations bookkeeping in OPS_TABLE, the only module that builds its keys: a record of each
scheduled run (so operators, the digest and the demo see that schedules fired and what they did),
connector checkpoints, the results of order imports, what each day's digest was written from, and
registry imports with their row notes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import (
    TransactionCancelled,
    from_item,
    is_conditional_failure,
    put_once,
    query_all,
    serialize,
    to_attributes,
    transact,
)


def _table() -> Any:
    return aws.table(settings().OPS_TABLE)


def _run_pk(job: str) -> str:
    return f"RUN#{job}"


def record_run(job: str, fired_at: datetime, outcome: dict[str, Any]) -> None:
    _table().put_item(
        Item={"pk": _run_pk(job), "sk": fired_at.astimezone(UTC).isoformat(), "outcome": outcome}
    )


def latest_run(job: str) -> dict[str, Any] | None:
    items = _table().query(
        KeyConditionExpression=Key("pk").eq(_run_pk(job)), ScanIndexForward=False, Limit=1
    )["Items"]
    return items[0] if items else None


def runs_between(job: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The runs of `job` fired in [start, end), oldest first (one Query on the job's partition)."""
    last = (end - timedelta(microseconds=1)).astimezone(UTC).isoformat()
    condition = Key("pk").eq(_run_pk(job)) & Key("sk").between(start.astimezone(UTC).isoformat(), last)
    return list(query_all(_table(), condition))


def _checkpoint_key(name: str, part: str) -> dict[str, str]:
    return {"pk": f"CHECKPOINT#{name}", "sk": part}


def load_checkpoint(name: str, part: str) -> dict[str, Any] | None:
    """The attributes saved under checkpoint `name` (e.g. "flipkart#{account}") and `part`, if any."""
    item: dict[str, Any] | None = _table().get_item(Key=_checkpoint_key(name, part)).get("Item")
    return item


def save_checkpoint(name: str, part: str, attributes: dict[str, Any]) -> None:
    _table().put_item(Item={**_checkpoint_key(name, part), **attributes})


def record_import(channel: str, imported_at: str, import_id: str, record: dict[str, Any]) -> None:
    """Keep an import's result at pk=IMPORT#{channel}, sk={imported_at}#{import_id}."""
    _table().put_item(Item={"pk": f"IMPORT#{channel}", "sk": f"{imported_at}#{import_id}", **record})


_DIGEST_PK = "DIGEST"


def load_digest_stamp(day: date) -> dict[str, Any] | None:
    """What the latest digest of `day` was written from (pk=DIGEST, sk=the day), if it ran."""
    item: dict[str, Any] | None = (
        _table().get_item(Key={"pk": _DIGEST_PK, "sk": day.isoformat()}, ConsistentRead=True).get("Item")
    )
    return item


def save_digest_stamp(day: date, attributes: dict[str, Any]) -> None:
    _table().put_item(Item={"pk": _DIGEST_PK, "sk": day.isoformat(), **attributes})


def digest_stamps(first: date, last: date) -> list[tuple[date, dict[str, Any]]]:
    """(day, stamp) of the days in [first, last] that have a digest, oldest first."""
    condition = Key("pk").eq(_DIGEST_PK) & Key("sk").between(first.isoformat(), last.isoformat())
    return [(date.fromisoformat(str(item["sk"])), item) for item in query_all(_table(), condition)]


# --- registry imports ------------------------------------------------------------------------
# pk=REGISTRY_IMPORT#{id}: sk=IMPORT (the record and its counters), sk=ROW#{row}#{n} (one note of a
# row), sk=CHUNK#{n} (a chunk's planned counts, added to the record once). pk=REGISTRY_IMPORTS,
# sk={id}: the list of imports (ids start with their UTC time, so the newest sort last).
REGISTRY_IMPORTS_PK = "REGISTRY_IMPORTS"


def _import_key(import_id: str, part: str = "IMPORT") -> dict[str, str]:
    return {"pk": f"REGISTRY_IMPORT#{import_id}", "sk": part}


def _chunk_part(index: int) -> str:
    return f"CHUNK#{index:06d}"


def create_registry_import(import_id: str, record: Mapping[str, Any], listed: Mapping[str, Any]) -> None:
    _table().put_item(Item={**_import_key(import_id), **to_attributes(record)})
    _table().put_item(Item={"pk": REGISTRY_IMPORTS_PK, "sk": import_id, **to_attributes(listed)})


def registry_import(import_id: str) -> dict[str, Any] | None:
    item = _table().get_item(Key=_import_key(import_id), ConsistentRead=True).get("Item")
    return from_item(item) if item else None


def update_registry_import(import_id: str, **fields: Any) -> None:
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    values = to_attributes({f":v{i}": value for i, value in enumerate(fields.values())})
    _table().update_item(
        Key=_import_key(import_id),
        UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def finish_registry_import(import_id: str, *, when: Mapping[str, Any], then: Mapping[str, Any]) -> bool:
    """SET `then` if the record's attributes equal `when` and every sent chunk is counted; True if
    this call did it (of many chunks finishing at once, exactly one does)."""
    names = {f"#w{i}": name for i, name in enumerate(when)} | {f"#t{i}": name for i, name in enumerate(then)}
    values = {f":w{i}": v for i, v in enumerate(when.values())} | {
        f":t{i}": v for i, v in enumerate(then.values())
    }
    conditions = [f"#w{i} = :w{i}" for i in range(len(when))] + ["chunks_done = chunks_total"]
    try:
        _table().update_item(
            Key=_import_key(import_id),
            UpdateExpression="SET " + ", ".join(f"#t{i} = :t{i}" for i in range(len(then))),
            ConditionExpression=" AND ".join(conditions),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=to_attributes(values),
        )
    except ClientError as error:
        if is_conditional_failure(error):
            return False
        raise
    return True


def put_registry_import_notes(import_id: str, notes: Iterable[Mapping[str, Any]]) -> int:
    """Keep row notes (each with its `row`); the same note written again is the same item."""
    count = 0
    per_row: dict[int, int] = {}
    with _table().batch_writer(overwrite_by_pkeys=["pk", "sk"]) as batch:
        for note in notes:
            index = per_row.get(int(note["row"]), 0)
            per_row[int(note["row"])] = index + 1
            batch.put_item(Item={**_import_key(import_id, f"ROW#{int(note['row']):08d}#{index:02d}"), **note})
            count += 1
    return count


def registry_import_notes(import_id: str, limit: int) -> tuple[list[dict[str, Any]], bool]:
    """Up to `limit` row notes in row order, and whether there are more."""
    condition = Key("pk").eq(_import_key(import_id)["pk"]) & Key("sk").begins_with("ROW#")
    found: list[dict[str, Any]] = []
    for item in query_all(_table(), condition):
        if len(found) == limit:
            return found, True
        found.append(from_item(item))
    return found, False


def registry_import_chunk(import_id: str, index: int) -> dict[str, Any] | None:
    item = _table().get_item(Key=_import_key(import_id, _chunk_part(index)), ConsistentRead=True).get("Item")
    return from_item(item) if item else None


def plan_registry_import_chunk(import_id: str, index: int, counts: Mapping[str, int]) -> dict[str, Any]:
    """Record a chunk's planned counts once; a redelivered chunk gets the first attempt's counts."""
    if put_once(_table(), {**_import_key(import_id, _chunk_part(index)), "counted": False, **counts}):
        return dict(counts)
    return registry_import_chunk(import_id, index) or dict(counts)


def count_registry_import_chunk(import_id: str, index: int, counts: Mapping[str, int]) -> None:
    """Add a chunk's counts to its import's record, exactly once (with the chunk's `counted` flag)."""
    table = settings().OPS_TABLE
    try:
        transact(
            [
                {
                    "Update": {
                        "TableName": table,
                        "Key": serialize(_import_key(import_id, _chunk_part(index))),
                        "UpdateExpression": "SET counted = :yes",
                        "ConditionExpression": "counted = :no",
                        "ExpressionAttributeValues": serialize({":yes": True, ":no": False}),
                    }
                },
                {
                    "Update": {
                        "TableName": table,
                        "Key": serialize(_import_key(import_id)),
                        "UpdateExpression": "ADD chunks_done :one, " + ", ".join(f"{n} :{n}" for n in counts),
                        "ExpressionAttributeValues": serialize(
                            {":one": 1, **{f":{name}": int(value) for name, value in counts.items()}}
                        ),
                    }
                },
            ]
        )
    except TransactionCancelled as cancelled:
        if cancelled.codes[:1] != ["ConditionalCheckFailed"]:  # else: counted by an earlier delivery
            raise


def recent_registry_imports(limit: int) -> list[str]:
    """Ids of the newest registry imports, newest first."""
    response = _table().query(
        KeyConditionExpression=Key("pk").eq(REGISTRY_IMPORTS_PK), ScanIndexForward=False, Limit=limit
    )
    return [str(item["sk"]) for item in response["Items"]]
