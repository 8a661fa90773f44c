"""Connects capabilities that must not import each other: the hooks that run on every committed
order change. app.py calls this once per container; the orders service imports none of them, and
the hooks' modules load only in a function that changes an order (cold start)."""

from __future__ import annotations

from chalicelib.orders import hooks


def connect_order_hooks() -> None:
    hooks.connect(_order_hooks)


def _order_hooks() -> list[hooks.OrderChangeHook]:
    """Report counters first (their deferred updates run before delivery), then notifications."""
    from chalicelib.orders.effects import OrderNotifications
    from chalicelib.reports.aggregates import OrderCounters

    return [OrderCounters(), OrderNotifications()]
