"""Local stack commands: run it, seed it, send events into it, look inside it."""

from __future__ import annotations

import json
import signal
import sys
import threading
from pathlib import Path

import click
from chalice import Chalice

from chalicelib import aws
from chalicelib.auth import Role, issue_local_token
from chalicelib.config import settings
from haat_tools.local import demo as demo_steps
from haat_tools.local import runner, session, stack


@click.group(help="The embedded local AWS (moto server) with Haat provisioned into it.")
def local() -> None:
    pass


@local.command(help="Start moto, provision Haat, seed samples, serve the API and run events until Ctrl-C.")
@click.option("--port", default=8000, show_default=True, help="Port of the local REST API.")
def up(port: int) -> None:
    stopped = _stop_on_sigterm()  # before anything can see the stack, so a prompt SIGTERM stops it cleanly
    with stack.running() as local_aws:
        demo_steps.seed_registry()
        app = runner.load_app()
        with runner.serve_api(app, port=port) as api_url:
            session.write_state(local_aws.endpoint, api_url)
            click.echo(f"local AWS  {local_aws.endpoint}\nREST API   {api_url}\nCtrl-C to stop.")
            try:
                _run_until(stopped, app)
            finally:
                session.clear_state()


def _stop_on_sigterm() -> threading.Event:
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    return stopped


def _run_until(stopped: threading.Event, app: Chalice) -> None:
    """Deliver queued messages and fire schedules (as AWS would) until `stopped` or Ctrl-C."""
    background = runner.BackgroundRunner(app)
    background.start()
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        background.stop()


@click.command(
    help="Import the sample registry (samples/registry/) into the local stack, as `registry import` does."
)
def seed() -> None:
    with session.local_session():
        click.echo(json.dumps(demo_steps.seed_registry()))


@click.command(help="Put an order-event file on the order-events queue and deliver it to the handler.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--channel", required=True, help="Channel the event comes from (message attribute).")
def send(path: Path, channel: str) -> None:
    with session.local_session() as current:
        response = aws.client("sqs").send_message(
            QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE),
            MessageBody=path.read_text(),
            MessageAttributes={"channel": {"DataType": "String", "StringValue": channel}},
        )
        if not current.shared:
            runner.drain_all(current.app)
        click.echo(json.dumps({"message_id": response["MessageId"]}))


@click.command(help="Print one DynamoDB item of the running local stack, e.g. `show orders RAW#<id> RAW`.")
@click.argument(
    "table_setting",
    metavar="TABLE",
    type=click.Choice(["registry", "catalogue", "orders", "outbox", "reports", "ops"]),
)
@click.argument("pk")
@click.argument("sk")
def show(table_setting: str, pk: str, sk: str) -> None:
    with session.local_session():
        name = getattr(settings(), f"{table_setting.upper()}_TABLE")
        item = aws.table(name).get_item(Key={"pk": pk, "sk": sk}).get("Item")
        if item is None:
            raise click.ClickException(f"no item {pk} / {sk} in {name}")
        click.echo(json.dumps(item, default=str, ensure_ascii=False, indent=2))


@click.command(help="Print a bearer token for the running local stack's API.")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.MISSION_ADMIN.value)
@click.option("--district", default="", help="district coordinators and block coordinators")
@click.option("--block", default="", help="block coordinators")
@click.option("--shg-id", "shg_ids", multiple=True, help="resource persons (repeat for several SHGs)")
def token(role: str, district: str, block: str, shg_ids: tuple[str, ...]) -> None:
    with session.local_session():
        click.echo(issue_local_token("cli", Role(role), district=district, block=block, shg_ids=shg_ids))


@click.command(help="Run the whole pipeline on sample photos and orders and print what happened.")
def demo() -> None:
    with session.local_session() as current:
        report = demo_steps.run(current)
        _print_report(report)
        url, token = demo_steps.upload_page(current)
        click.echo(f"\nUpload page  {url}#token={token}\nToken        {token}")
        if current.shared:
            click.echo("(served by `haat local up` while it runs)")
        elif sys.stdin.isatty():
            click.echo("Serving the upload page and processing its photos until Ctrl-C.")
            _run_until(_stop_on_sigterm(), current.app)
        else:
            click.echo("(this demo's stack stops now: to try the page, run `make demo` in a terminal)")


def _print_report(report: demo_steps.DemoReport) -> None:
    click.echo(f"Seeded registry: {report.seeded}")
    width = max(len(step) for step, _, _ in report.rows)
    click.echo(f"{'step'.ljust(width)}  {'outcome':<10}  detail")
    click.echo(f"{'-' * width}  {'-' * 10}  {'-' * 40}")
    for step, outcome, detail in report.rows:
        click.echo(f"{step.ljust(width)}  {outcome:<10}  {detail}")
    click.echo("\nSummary")
    for kind, outcomes in demo_steps.summary(report).items():
        click.echo(f"  {kind:<14} " + ", ".join(f"{count} {outcome}" for outcome, count in outcomes.items()))
