"""Runbook commands (docs/runbook.md): the same command works on the local stack and a deployed stage."""

from __future__ import annotations

import json
import secrets
import time as clock
from datetime import UTC, date, datetime, time, timedelta

import click

from chalicelib import aws, queues
from chalicelib.config import settings
from chalicelib.notify import outbox, sender
from chalicelib.notify.models import Template
from chalicelib.notify.templates import TEMPLATES, longest_variables, render, sms_length
from chalicelib.registry.models import Language
from haat_tools.local import runner, session
from haat_tools.reprocess import reprocess

QUEUES = {
    "orders": "ORDER_EVENTS_QUEUE",
    "photos": "PHOTO_UPLOADS_QUEUE",
    "registry-imports": "REGISTRY_IMPORTS_QUEUE",
}
stage_option = click.option(
    "--stage",
    default="local",
    show_default=True,
    help="local (embedded stack) or a deployed stage (dev, prod).",
)


def digest_fire_time(day: date) -> datetime:
    """The schedule that reports on IST day `day` fires at 02:30 UTC the next day (08:00 IST)."""
    return datetime.combine(day + timedelta(days=1), time(2, 30), tzinfo=UTC)


@click.group(help="Runbook operations: redrive DLQs, rotate secrets, re-run a digest.")
def ops() -> None:
    pass


@ops.command(help="Move every message of a queue's DLQ back to the queue, to be processed again.")
@click.option("--queue", "queue_key", type=click.Choice(sorted(QUEUES)), required=True)
@stage_option
def redrive(queue_key: str, stage: str) -> None:
    with session.stage_session(stage) as local:
        moved = queues.redrive(getattr(settings(), QUEUES[queue_key]))
        if local and not local.shared:
            runner.drain_all(local.app)
        click.echo(json.dumps({"queue": queue_key, "redriven": moved}))


UNCONFIRMED_FIELDS = (
    "notification_id",
    "template",
    "member_id",
    "shg_id",
    "attempts",
    "unconfirmed_at",
    "reason",
)


@ops.command(
    "sms-unconfirmed",
    help="SMS that may or may not have reached the phone (never re-sent by themselves), with the reason.",
)
@click.option("--limit", default=100, show_default=True)
@stage_option
def sms_unconfirmed(limit: int, stage: str) -> None:
    with session.stage_session(stage):
        for entry in outbox.unconfirmed(limit):
            fields = {name: entry.get(name) for name in UNCONFIRMED_FIELDS}
            click.echo(json.dumps(fields, ensure_ascii=False, default=str))


@ops.command(
    "sms-resolve",
    help="Settle an unconfirmed SMS: --resend if it did not arrive, --delivered if it did.",
)
@click.argument("notification_id")
@click.option("--resend/--delivered", required=True)
@stage_option
def sms_resolve(notification_id: str, resend: bool, stage: str) -> None:
    with session.stage_session(stage) as local:
        if not outbox.resolve_unconfirmed(notification_id, resend=resend, now=clock.time()):
            raise click.ClickException(f"{notification_id} is not an unconfirmed SMS")
        outcome: dict[str, object] = {"notification_id": notification_id, "resend": resend}
        if resend and local and not local.shared:
            outcome["delivery"] = sender.deliver_pending([notification_id])[0].state
        click.echo(json.dumps(outcome))


@ops.command("rotate-secret", help="Replace a secret (e.g. webhooks/haat/OUTLET); print the new value once.")
@click.argument("name")
@stage_option
def rotate_secret(name: str, stage: str) -> None:
    with session.stage_session(stage):
        value = secrets.token_urlsafe(32)
        aws.client("ssm").put_parameter(
            Name=f"{settings().SECRETS_PREFIX}/{name}", Value=value, Type="SecureString", Overwrite=True
        )
        click.echo(json.dumps({"parameter": f"{settings().SECRETS_PREFIX}/{name}", "value": value}))


@ops.command("rerun-digest", help="Re-run the daily digest for an IST date (same files again).")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), required=True)
@stage_option
def rerun_digest(day: datetime, stage: str) -> None:
    at = digest_fire_time(day.date())
    with session.stage_session(stage) as local:
        if local:
            outcome = runner.fire(local.app, "daily_digest", at)
        else:
            response = aws.client("lambda").invoke(
                FunctionName=f"haat-{stage}-daily_digest",
                Payload=json.dumps(runner.scheduled_event("daily_digest", at)).encode(),
            )
            outcome = json.loads(response["Payload"].read())
        click.echo(json.dumps(outcome, default=str))


@ops.command(
    "reprocess-photo", help="Judge an upload again (uploads bucket KEY), e.g. after thresholds change."
)
@click.argument("key")
@stage_option
def reprocess_photo(key: str, stage: str) -> None:
    with session.stage_session(stage) as local:
        upload = reprocess(key)
        if local and not local.shared:
            runner.drain_all(local.app)
        click.echo(json.dumps({"key": upload.key, "revision": upload.revision, "queued": True}))


@ops.command(help="Render every SMS template of a language with worst-case values; fail if one is missing.")
@click.option("--language", type=click.Choice([language.value for language in Language]), required=True)
def templates(language: str) -> None:
    missing = []
    for template in Template:
        if (template, Language(language)) not in TEMPLATES:
            missing.append(template.value)
            continue
        registered = TEMPLATES[(template, Language(language))]
        text = render(template, Language(language), longest_variables(template))
        length = sms_length(text)
        click.echo(
            json.dumps(
                {
                    "template": template.value,
                    "dlt_template_id": registered.dlt_template_id,
                    "encoding": length.encoding,
                    "segments_at_most": length.segments,
                    "text": registered.text,
                },
                ensure_ascii=False,
            )
        )
    if missing:
        raise click.ClickException(f"no {language} template for: {', '.join(missing)}")
