"""Operations bookkeeping in OPS_TABLE, the only module that builds its keys: a record of each
scheduled run (so operators, the digest and the demo see that schedules fired and what they did),
connector checkpoints, the results of order imports, and what each day's digest was written from."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from boto3.dynamodb.conditions import Key

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import query_all


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
