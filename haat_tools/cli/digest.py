"""`haat digest subscribe|unsubscribe|subscriptions`: who gets the morning digest e-mail;
`haat digest rebuild-views`: a month's dashboard roll-ups summed again from its day counters."""

from __future__ import annotations

import json
from datetime import date

import click
from pydantic import ValidationError

from chalicelib.mail import subscriptions
from chalicelib.mail.subscriptions import Subscription
from chalicelib.reports import aggregates
from haat_tools.cli.ops import stage_option
from haat_tools.local import session

email_option = click.option("--email", required=True, help="the official's address")
district_option = click.option("--district", default="", help="her district (none: the whole mission)")
block_option = click.option("--block", default="", help="her block, within --district")


def _subscription(email: str, district: str, block: str) -> Subscription:
    try:
        subscription = Subscription(email=email, district=district, block=block)
        subscription.scope  # noqa: B018 - a block needs its district
    except (ValidationError, ValueError) as error:
        raise click.BadParameter(str(error).splitlines()[0]) from None
    return subscription


@click.group(help="The daily digest by e-mail: subscribe officials to the mission, a district or a block.")
def digest() -> None:
    pass


@digest.command(help="E-mail the digest of a scope to an official each morning.")
@email_option
@district_option
@block_option
@stage_option
def subscribe(email: str, district: str, block: str, stage: str) -> None:
    subscription = _subscription(email, district, block)
    with session.stage_session(stage):
        subscriptions.subscribe(subscription)
    click.echo(json.dumps({"subscribed": subscription.model_dump(), "scope": subscription.scope.describe()}))


@digest.command(help="Stop e-mailing a scope's digest to an official.")
@email_option
@district_option
@block_option
@stage_option
def unsubscribe(email: str, district: str, block: str, stage: str) -> None:
    subscription = _subscription(email, district, block)
    with session.stage_session(stage):
        removed = subscriptions.unsubscribe(subscription)
    click.echo(json.dumps({"unsubscribed": subscription.model_dump(), "existed": removed}))


@digest.command("subscriptions", help="List every digest subscription.")
@stage_option
def list_subscriptions(stage: str) -> None:
    with session.stage_session(stage):
        found = [s.model_dump() for s in subscriptions.all_subscriptions()]
    click.echo(json.dumps({"subscriptions": found}))


@digest.command("rebuild-views", help="Sum a month's dashboard roll-ups again from its day counters.")
@click.option("--month", required=True, help="YYYY-MM")
@stage_option
def rebuild_views(month: str, stage: str) -> None:
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise click.BadParameter(f"--month must be YYYY-MM, not {month!r}") from None
    with session.stage_session(stage):
        written = aggregates.rebuild_views(first)
    click.echo(json.dumps({"month": month, "roll_up_items": written}))
