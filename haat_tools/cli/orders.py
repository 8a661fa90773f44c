"""`orders` commands: send order events through the real path, list the quarantine, redrive the DLQ."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from chalicelib import queues
from chalicelib.config import settings
from chalicelib.orders import repository
from haat_tools import operator
from haat_tools.local import demo, runner, session


@click.group(help="Order events: send them as channels do, inspect the quarantine, redrive the DLQ.")
def orders() -> None:
    pass


@orders.command(
    help='Send a JSON-lines file of {"channel": ..., "payload": {...}} and print one result per line '
    "(recorded, duplicate, quarantined, refused, pending); a summary goes to stderr. Exit code 1 "
    "when any line was refused, quarantined or never processed."
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--api-url", default=None, help="A deployed stage's API (default: the local stack's).")
def send(path: Path, api_url: str | None) -> None:
    lines = operator.read_lines(path.read_bytes())
    reports = []
    with session.local_session() as current:
        if not current.shared:
            demo.seed_registry()
        process = (
            None if current.shared else (lambda: runner.drain(current.app, runner.binding("on_order_events")))
        )
        for report in operator.send_all(api_url or current.api_url, lines, process):
            click.echo(json.dumps(report, ensure_ascii=False))
            reports.append(report)
    outcome = operator.summary(reports)
    click.echo(json.dumps(outcome), err=True)
    if outcome["failed"]:
        sys.exit(1)


@orders.command(help="List quarantined order messages with the reason each was kept.")
def quarantine() -> None:
    with session.local_session():
        for item in repository.quarantined(limit=1000):
            item.pop("body", None)
            click.echo(json.dumps(item, ensure_ascii=False, default=str))


@orders.command("redrive-dlq", help="Move the order-events DLQ back to the queue.")
def redrive_dlq() -> None:
    with session.local_session():
        click.echo(json.dumps({"redriven": queues.redrive(settings().ORDER_EVENTS_QUEUE)}))
