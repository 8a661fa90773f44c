"""A record of each scheduled run, so operators (and the demo) can see that schedules fired."""

from __future__ import annotations

from datetime import UTC, datetime
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
