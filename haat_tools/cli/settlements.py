"""Settlement commands: import a channel's settlement report and apply its payouts."""

from __future__ import annotations

import json
from pathlib import Path

import click

from chalicelib.connectors.settlements import formats, importer
from chalicelib.imports import ImportRejected, response_body
from haat_tools import registry as registry_files
from haat_tools.cli.ops import stage_option
from haat_tools.local import runner, session


@click.group(help="Channels' settlement reports: payouts applied once per order.")
def settlements() -> None:
    pass


@settlements.command(
    name="import",
    help="Import a settlement report (CSV, tab-separated text or an Excel workbook; Amazon: flat file V2) "
    "and print the result: settlements to apply (sent to the order-events queue), already applied, "
    "awaiting their order, refused, bad rows.",
)
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--channel",
    "report",
    required=True,
    type=click.Choice(formats.FORMATS),
    help="whose report: flipkart, meesho, amazon, or generic (ONDC and outlet cash)",
)
@stage_option
def import_report(path: Path, report: str, stage: str) -> None:
    with session.stage_session(stage) as local:
        try:
            result = importer.import_settlements(
                path.read_bytes(),
                report=report,
                source=f"cli:{path.name}",
                importer=registry_files.operator(stage),
            )
        except ImportRejected as error:
            raise click.ClickException(str(error)) from error
        if local is not None and not local.shared:
            runner.drain_all(local.app)  # a private stack: apply the payouts before it stops
    click.echo(json.dumps(response_body(result), ensure_ascii=False, indent=2))
    if not result.accepted:
        raise click.ClickException(f"missing columns: {', '.join(result.missing_columns)}")
