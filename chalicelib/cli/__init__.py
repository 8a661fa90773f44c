"""`python -m chalicelib.cli`: the operator CLI for mission IT."""

from __future__ import annotations

import click

from chalicelib.cli import deploy, local, orders


@click.group(help="Haat operator CLI: run the local stack, seed data, send events, inspect records.")
def main() -> None:
    pass


main.add_command(local.local)
main.add_command(local.seed)
main.add_command(local.send)
main.add_command(local.show)
main.add_command(local.token)
main.add_command(local.demo)
main.add_command(orders.orders)
main.add_command(deploy.package)
main.add_command(deploy.deploy)
