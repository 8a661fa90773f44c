"""`dispatch_sweep` and `daily_digest`, fired by EventBridge schedules."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.reports.runs import record_run


def _fired_at(raw_event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(raw_event["time"].replace("Z", "+00:00"))


def dispatch_sweep(raw_event: dict[str, Any]) -> dict[str, Any]:
    outcome = {"reminders": 0, "escalations": 0}
    record_run("dispatch_sweep", _fired_at(raw_event), outcome)
    return outcome


def daily_digest(raw_event: dict[str, Any]) -> dict[str, Any]:
    fired_at = _fired_at(raw_event)
    key = f"reports/{fired_at.date().isoformat()}/digest.json"
    aws.client("s3").put_object(
        Bucket=settings().MEDIA_BUCKET,
        Key=key,
        Body=json.dumps({"generated_for": fired_at.date().isoformat()}).encode(),
        ContentType="application/json",
    )
    outcome = {"report_key": key}
    record_run("daily_digest", fired_at, outcome)
    return outcome
