"""Order-change hooks: what other capabilities (report counters, notifications) add to an order
change, registered at the edge (`chalicelib/wiring.py`), so the orders service imports none of them.

Each hook contributes transaction items that commit atomically with the order (a change is never
recorded without its SMS, nor counted twice) and then hears that the change was committed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from chalicelib.orders.models import OrderEvent, OrderRecord


@dataclass(frozen=True)
class OrderChange:
    """`event` changed the order from `before` (None: it is new) to `after`.

    `oversold` maps each product ordered beyond its stock to the units that were left.
    """

    before: OrderRecord | None
    after: OrderRecord
    event: OrderEvent
    oversold: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Contribution:
    """Transaction items one hook adds to an order change.

    `deferrable` items may be applied by the hook after the commit instead (when the order's
    transaction has no room for them); the others always share the order's transaction.
    `notification_ids` are recorded in the order's history.
    """

    actions: list[dict[str, Any]] = field(default_factory=list)
    notification_ids: list[str] = field(default_factory=list)
    deferrable: bool = False


class OrderChangeHook(Protocol):
    role: str

    def contribute(self, change: OrderChange) -> Contribution:
        """Transaction items for `change` (called again if the transaction is retried)."""
        ...

    def committed(self, change: OrderChange, contribution: Contribution, *, in_transaction: bool) -> None:
        """Runs once the change is committed (never for duplicates, stale or rejected events);
        `in_transaction` False means a deferrable contribution was left out of the transaction."""
        ...


HookFactory = Callable[[], Sequence[OrderChangeHook]]
_factory: list[HookFactory] = []
_hooks: list[OrderChangeHook] = []


def connect(factory: HookFactory) -> None:
    """Install what builds the order-change hooks, in the order they run (replacing any installed
    before); they are built on the first order change, so a function that changes no order never
    imports them."""
    _factory[:] = [factory]
    _hooks.clear()


def connected() -> tuple[OrderChangeHook, ...]:
    if _factory and not _hooks:
        _hooks[:] = _factory[0]()
    return tuple(_hooks)
