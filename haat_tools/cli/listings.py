"""Listing commands: export a channel's listing file for an area, see where each product stands,
and record what the channel said (by SKU, or from its listing status report)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from chalicelib.catalogue.models import ListingState
from chalicelib.imports import ImportRejected
from chalicelib.listings import service, status
from chalicelib.listings.service import Include, StatusUpdate
from haat_tools import registry as registry_files
from haat_tools.cli.ops import stage_option
from haat_tools.local import session

CHANNELS = click.Choice([channel.value for channel in service.LISTED_ON])


def _echo(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


@click.group(help="Channel listings: files for the seller panels and feeds, and what the channels said.")
def listings() -> None:
    pass


@listings.command(
    help="Write the channel's listing file for the ready products of a district (or one block): "
    "Meesho and Flipkart a CSV for the seller panel, Amazon a JSON_LISTINGS_FEED, ONDC an on_search "
    "catalog. Each product exported is recorded (exported; a live one stays live)."
)
@click.option("--channel", required=True, type=CHANNELS)
@click.option("--district", default="", help="the district (default: the whole mission)")
@click.option("--block", default="", help="one block of the district")
@click.option(
    "--include",
    type=click.Choice([i.value for i in Include]),
    default=Include.NEW.value,
    help="new: what the channel has not got (never exported, or rejected since); all: every ready product",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="file to write (default: its name)"
)
@stage_option
def export(*, channel: str, district: str, block: str, include: str, out: Path | None, stage: str) -> None:
    with session.stage_session(stage):
        try:
            made = service.export(
                registry_files.operator(stage),
                service.channel_of(channel),
                district=district,
                block=block,
                include=Include(include),
            )
        except service.Refused as error:
            raise click.ClickException(str(error)) from error
    target = out or Path(made.result.file_name)
    target.write_bytes(made.content)
    _echo({**made.result.model_dump(mode="json"), "written": str(target)})


@listings.command(
    help="Each product with a SKU on the channel: not ready, ready, exported, live or rejected."
)
@click.option("--channel", required=True, type=CHANNELS)
@click.option("--district", default="")
@click.option("--block", default="")
@stage_option
def show(channel: str, district: str, block: str, stage: str) -> None:
    with session.stage_session(stage):
        groups = service.area(registry_files.operator(stage), "listings:read", district, block)
        _echo([entry.view() for entry in service.entries(service.channel_of(channel), groups)])


@listings.command(
    help="Record what the channel said about SKUs: --live (with its listing id) or --rejected REASON."
)
@click.argument("skus", nargs=-1, required=True)
@click.option("--channel", required=True, type=CHANNELS)
@click.option("--live", is_flag=True, help="the channel lists them")
@click.option("--rejected", "reason", default=None, help="the channel refused them, with its reason")
@click.option("--listing-id", default="", help="the channel's id (catalog id, FSN, ASIN); one SKU only")
@stage_option
def mark(
    *, skus: tuple[str, ...], channel: str, live: bool, reason: str | None, listing_id: str, stage: str
) -> None:
    if live == (reason is not None):
        raise click.UsageError("say --live or --rejected REASON")
    if listing_id and len(skus) > 1:
        raise click.UsageError("--listing-id names one listing: give one SKU")
    state = ListingState.LIVE if live else ListingState.REJECTED
    updates = [StatusUpdate(sku=sku, state=state, listing_id=listing_id, reason=reason or "") for sku in skus]
    on = service.channel_of(channel)
    with session.stage_session(stage):
        result = service.new_mark(on)
        service.mark(registry_files.operator(stage), on, updates, result)
    _echo(result.model_dump(mode="json"))
    if result.refused:
        raise click.ClickException(f"{result.refused} SKU(s) refused: see errors")


@listings.command(
    name="status",
    help="Import the channel's listing status report (CSV or workbook: SKU, Status, Reason, Listing ID).",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--channel", required=True, type=CHANNELS)
@stage_option
def status_report(path: Path, channel: str, stage: str) -> None:
    on = service.channel_of(channel)
    with session.stage_session(stage):
        result = service.new_mark(on)
        try:
            updates = status.read(path.read_bytes(), result)
        except ImportRejected as error:
            raise click.ClickException(str(error)) from error
        service.mark(registry_files.operator(stage), on, updates, result)
    _echo(result.model_dump(mode="json"))
