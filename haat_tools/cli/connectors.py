"""Connector commands: import a Meesho export, poll Flipkart now."""

from __future__ import annotations

import json
from pathlib import Path

import click

from chalicelib.connectors.meesho import importer
from chalicelib.imports import ImportRejected, response_body
from haat_tools.local import runner, session


@click.group(name="import", help="Import channel order exports into the order-events queue.")
def import_group() -> None:
    pass


@import_group.command(help="Import a Meesho supplier-panel order export (CSV) and print the result.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def meesho(path: Path) -> None:
    with session.local_session() as current:
        try:
            result = importer.import_orders(path.read_bytes(), source=f"cli:{path.name}", imported_by="cli")
        except ImportRejected as error:
            raise click.ClickException(str(error)) from error
        if not current.shared:
            runner.drain_all(current.app)
    click.echo(json.dumps(response_body(result), ensure_ascii=False, indent=2))
    if not result.accepted:
        raise click.ClickException(f"missing columns: {', '.join(result.missing_columns)}")


@click.group(help="Poll pull channels now (the poll_channels schedule does this every 5 minutes).")
def poll() -> None:
    pass


@poll.command(help="Run poll_channels once against FLIPKART_API_URL and print the outcome.")
def flipkart() -> None:
    with session.local_session() as current:
        outcome = runner.fire(current.app, "poll_channels")
        if not current.shared:
            runner.drain_all(current.app)
    click.echo(json.dumps(outcome, indent=2))
