"""Connects capabilities that must not import each other: the hooks that run on every committed
order change. app.py calls this once per container; the orders service imports none of them."""

from __future__ import annotations

from chalicelib.orders import hooks
from chalicelib.orders.effects import OrderNotifications
from chalicelib.reports.aggregates import OrderCounters


def connect_order_hooks() -> None:
    """Report counters first (their deferred updates run before delivery), then notifications."""
    hooks.connect([OrderCounters(), OrderNotifications()])
