"""A record of each scheduled run, so operators (and the demo) can see that schedules fired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib import aws
from chalicelib.config import settings


def record_run(job: str, fired_at: datetime, outcome: dict[str, Any]) -> None:
    aws.table(settings().OPS_TABLE).put_item(
        Item={
            "pk": f"RUN#{job}",
            "sk": fired_at.astimezone(UTC).isoformat(),
            "outcome": outcome,
        }
    )


def latest_run(job: str) -> dict[str, Any] | None:
    items = aws.table(settings().OPS_TABLE).query(
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": f"RUN#{job}"},
        ScanIndexForward=False,
        Limit=1,
    )["Items"]
    return items[0] if items else None


def runs_between(job: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The runs of `job` fired in [start, end), oldest first (one Query on the job's partition)."""
    table = aws.table(settings().OPS_TABLE)
    request: dict[str, Any] = {
        "KeyConditionExpression": "pk = :pk AND sk BETWEEN :start AND :end",
        "ExpressionAttributeValues": {
            ":pk": f"RUN#{job}",
            ":start": start.astimezone(UTC).isoformat(),
            ":end": (end - timedelta(microseconds=1)).astimezone(UTC).isoformat(),
        },
    }
    runs: list[dict[str, Any]] = []
    while True:
        page = table.query(**request)
        runs += page["Items"]
        if "LastEvaluatedKey" not in page:
            return runs
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
