"""`python -m haat_tools.cli`: the operator CLI for mission IT."""

from __future__ import annotations

import os

import click

from haat_tools.cli import (
    connectors,
    deploy,
    digest,
    listings,
    local,
    ops,
    orders,
    photos,
    registry,
    settlements,
    users,
)


@click.group(help="Haat operator CLI: run the local stack, seed data, send events, inspect records.")
def main() -> None:
    # A command's stdout is its result (JSON lines, a table): EMF metric lines belong to Lambda only.
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")


main.add_command(local.local)
main.add_command(local.seed)
main.add_command(local.send)
main.add_command(local.show)
main.add_command(local.token)
main.add_command(local.demo)
main.add_command(connectors.import_group)
main.add_command(connectors.poll)
main.add_command(settlements.settlements)
main.add_command(listings.listings)
main.add_command(photos.photos)
main.add_command(orders.orders)
main.add_command(deploy.package)
main.add_command(deploy.deploy)
main.add_command(ops.ops)
main.add_command(users.users)
main.add_command(digest.digest)
main.add_command(registry.registry)
main.add_command(registry.imports)
