"""`dispatch_sweep` and `daily_digest`, fired by EventBridge schedules."""

from __future__ import annotations

import functools
import json
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit

from chalicelib import aws
from chalicelib.calendar import business_date
from chalicelib.config import settings
from chalicelib.mail import digest_mail, subscriptions
from chalicelib.observability import logger, metrics
from chalicelib.ops import record_run
from chalicelib.reports import aggregates, digest, page, revisions
from chalicelib.reports.settings import report_settings
from chalicelib.reports.sweep import sweep

CONTENT_TYPES = {
    "digest.csv": "text/csv; charset=utf-8",
    "digest.json": "application/json",
    "index.html": "text/html; charset=utf-8",
}


def _fired_at(raw_event: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(raw_event["time"].replace("Z", "+00:00")).astimezone(UTC)


def dispatch_sweep(raw_event: dict[str, Any]) -> dict[str, Any]:
    fired_at = _fired_at(raw_event)
    window = timedelta(hours=report_settings().DISPATCH_REMINDER_WINDOW_HOURS)
    outcome = sweep(fired_at, window).as_dict()
    logger.info("dispatch sweep", extra=outcome)
    metrics.add_metric(name="SweepReminders", unit=MetricUnit.Count, value=outcome["reminders"])
    metrics.add_metric(name="SweepEscalations", unit=MetricUnit.Count, value=outcome["escalations"])
    record_run("dispatch_sweep", fired_at, outcome)
    return outcome


def report_date_of(raw_event: dict[str, Any]) -> date:
    """The IST day before the run, or `detail.report_date` when an operator re-runs a past day."""
    requested = (raw_event.get("detail") or {}).get("report_date")
    if requested:
        try:
            return date.fromisoformat(str(requested))
        except ValueError:
            raise ValueError(
                f"detail.report_date must be an IST date YYYY-MM-DD, not {requested!r}"
            ) from None
    return business_date(_fired_at(raw_event)) - timedelta(days=1)


@functools.cache
def _topic_arn(name: str) -> str:
    """The ARN of topic `name` in this account and region (GetCallerIdentity needs no permission)."""
    account = aws.client("sts").get_caller_identity()["Account"]
    region = aws.client("sns").meta.region_name
    return f"arn:aws:sns:{region}:{account}:{name}"


def daily_digest(raw_event: dict[str, Any]) -> dict[str, Any]:
    """Write and announce the report date's digest, e-mail it to subscribed officials, then issue
    again the digests of earlier days whose figures late records have changed since (`revisions`)."""
    started = time.monotonic()
    fired_at = _fired_at(raw_event)
    report_date = report_date_of(raw_event)
    config = report_settings()
    built, message = _publish(report_date)
    # Each subscribed official gets her scope's digest by e-mail (the mission-wide one is built already).
    mails = digest_mail.deliver(
        list(subscriptions.all_subscriptions()),
        lambda scope: built if scope.is_mission else digest.build(report_date, config, scope),
    )
    metrics.add_metric(name="DigestEmailsSent", unit=MetricUnit.Count, value=mails["emails_sent"])
    metrics.add_metric(name="DigestEmailsFailed", unit=MetricUnit.Count, value=mails["emails_failed"])
    window_start = report_date - timedelta(days=config.DIGEST_REVISION_DAYS)
    revised = [
        _publish(day)[1] for day in revisions.changed_days(window_start, report_date - timedelta(days=1))
    ]
    outcome = {"report_key": message["index_html"], **message, **mails, "revised": revised}
    record_run("daily_digest", fired_at, outcome)
    metrics.add_metric(
        name="DigestDuration", unit=MetricUnit.Milliseconds, value=round((time.monotonic() - started) * 1000)
    )
    if revised:
        metrics.add_metric(name="DigestRevisions", unit=MetricUnit.Count, value=len(revised))
    return outcome


def _publish(report_date: date) -> tuple[digest.Digest, dict[str, Any]]:
    """Build, write and announce one day's (mission-wide) digest: it, and the message sent to the
    digest topic."""
    built, current = revisions.stamp(digest.build(report_date, report_settings()))
    people = [m.model_dump() for m in (*built.lakhpati, *built.approaching)]
    aggregates.keep_lakhpati(
        report_date, people, built.threshold_paise, datetime.now(UTC)
    )  # for the dashboard
    files = {
        "digest.csv": digest.to_csv(built),
        "digest.json": digest.to_json(built),
        "index.html": page.render(built),
    }
    bucket = settings().MEDIA_BUCKET
    keys = {}
    for name, body in files.items():
        key = f"reports/{report_date.isoformat()}/{name}"
        aws.client("s3").put_object(Bucket=bucket, Key=key, Body=body, ContentType=CONTENT_TYPES[name])
        keys[name.replace(".", "_")] = key
    message: dict[str, Any] = {"report_date": report_date.isoformat(), "bucket": bucket, **keys}
    subject = f"Haat daily digest {report_date.isoformat()}"
    if built.revision > 1:
        message["revision"] = built.revision
        subject += f" (revision {built.revision}: late records)"
    topic = _topic_arn(settings().DIGEST_TOPIC)
    aws.client("sns").publish(TopicArn=topic, Subject=subject, Message=json.dumps(message, sort_keys=True))
    revisions.keep(report_date, current)
    return built, message
