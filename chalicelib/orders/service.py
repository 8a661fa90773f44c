"""Process one canonical OrderEvent exactly once: read, decide, commit in one transaction, then hooks.

Round trips for a new order: one BatchGetItem (order, parked events, dedupe marker, SKU pointers),
one TransactWriteItems (order, history entry, stock decrements, outbox entries); a channel that
sends no prices (Amazon) adds one BatchGetItem of the product profiles. A duplicate costs one read.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from chalicelib.dynamo import MAX_TRANSACT_ITEMS, TransactionCancelled
from chalicelib.observability import logger, metrics
from chalicelib.orders import limits, repository
from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.hooks import Contribution, OrderChange, OrderChangeHook, connected
from chalicelib.orders.models import OrderEvent, OrderLine, OrderRecord, OrderStatus
from chalicelib.orders.recipients import with_recipients
from chalicelib.orders.state import Decision, Outcome, decide, replay
from chalicelib.registry import repository as registry

MAX_ATTEMPTS = 5
POINTER_FIELDS = (
    "sku",
    "product_id",
    "shg_id",
    "district",
    "block",
    "craft",
    "maker_member_ids",
    "short_name",
)


class EventResult(BaseModel):
    event_id: str
    channel: str
    channel_order_id: str
    outcome: Outcome
    status: str | None = None
    reason: str = ""
    notification_ids: list[str] = []


class _Retry(Exception):
    """Someone changed the order between our read and our write: read again."""


def process_event(event: OrderEvent, message_id: str = "") -> EventResult:
    """Apply `event` to its order once; UnmappableEvent if its lines cannot be resolved."""
    oversold: dict[str, int] = {}  # product_id -> units in stock, for products ordered beyond it
    gone: set[str] = set()  # products no longer in the registry: no stock to give back to
    for _ in range(MAX_ATTEMPTS):
        snapshot = repository.read_snapshot(event)
        if snapshot.seen:
            return _result(event, Outcome.DUPLICATE)
        try:
            if snapshot.record is None and decide(None, event).outcome is Outcome.CREATED:
                return _create(event, snapshot, oversold, message_id)
            return _apply(event, snapshot.record, message_id, gone)
        except _Retry:
            continue
    raise RuntimeError(
        f"order {event.channel}/{event.channel_order_id} kept changing under event {event.event_id}"
    )


def _result(event: OrderEvent, outcome: Outcome, **fields: Any) -> EventResult:
    metrics.add_metric(name=f"OrderEvent_{outcome.value}", unit="Count", value=1)
    return EventResult(
        event_id=event.event_id,
        channel=event.channel.value,
        channel_order_id=event.channel_order_id,
        outcome=outcome,
        **fields,
    )


def _resolve(event: OrderEvent, pointers: dict[str, dict[str, Any]]) -> list[OrderLine]:
    lines = []
    for line in event.lines:
        pointer = pointers.get(line.channel_sku)
        if pointer is None:
            raise UnmappableEvent(f"unknown SKU {line.channel_sku!r} on channel {event.channel.value}")
        lines.append(
            line.model_copy(update={name: pointer[name] for name in POINTER_FIELDS if name in pointer})
        )
    if any(line.unit_price_paise == 0 for line in lines):
        profiles = registry.products(line.product_id for line in lines)
        lines = [
            line
            if line.unit_price_paise
            else line.model_copy(
                update={"unit_price_paise": int(profiles.get(line.product_id, {}).get("price_paise", 0))}
            )
            for line in lines
        ]
    return with_recipients(lines)


class _Conflict(Exception):
    """The transaction was cancelled; `roles` names the parts whose condition failed."""

    def __init__(self, roles: set[str]) -> None:
        super().__init__(",".join(sorted(roles)))
        self.roles = roles

    @property
    def duplicate(self) -> bool:
        """The dedupe marker exists: a concurrent twin of this event already did the work."""
        return "history" in self.roles

    @property
    def short_products(self) -> set[str]:
        return {role.split(":", 1)[1] for role in self.roles if role.startswith("stock:")}

    @property
    def gone_products(self) -> set[str]:
        return {role.split(":", 1)[1] for role in self.roles if role.startswith("restock:")}


def _commit(parts: list[tuple[str, dict[str, Any]]]) -> None:
    """Commit (role, transaction item) parts as one transaction."""
    try:
        repository.commit([item for _, item in parts])
    except TransactionCancelled as cancelled:
        if not cancelled.conditions_only:
            raise
        failed = {role for (role, _), code in zip(parts, cancelled.codes, strict=False) if code != "None"}
        raise _Conflict(failed) from cancelled


Contributions = list[tuple[OrderChangeHook, Contribution]]
Placed = list[tuple[OrderChangeHook, Contribution, bool]]  # bool: in the order's transaction


def _contributions(change: OrderChange) -> Contributions:
    return [(hook, hook.contribute(change)) for hook in connected()]


def _notification_ids(contributions: Contributions) -> list[str]:
    return [nid for _, contribution in contributions for nid in contribution.notification_ids]


def _place(parts: list[tuple[str, dict[str, Any]]], contributions: Contributions) -> Placed:
    """Add the hooks' items to the order's transaction: every required one, then each deferrable
    one if it fits (otherwise its hook applies it after the commit)."""
    for hook, contribution in contributions:
        if not contribution.deferrable:
            parts += [(hook.role, action) for action in contribution.actions]
    placed: Placed = []
    for hook, contribution in contributions:
        fits = not contribution.deferrable or len(parts) + len(contribution.actions) <= MAX_TRANSACT_ITEMS
        if contribution.deferrable and fits:
            parts += [(hook.role, action) for action in contribution.actions]
        placed.append((hook, contribution, fits))
    return placed


def _committed(change: OrderChange, placed: Placed) -> None:
    for hook, contribution, in_transaction in placed:
        hook.committed(change, contribution, in_transaction=in_transaction)


def _create(
    event: OrderEvent, snapshot: repository.Snapshot, oversold: dict[str, int], message_id: str
) -> EventResult:
    resolved = event.model_copy(update={"lines": _resolve(event, snapshot.pointers)})
    if beyond := limits.problem(resolved):  # prices filled in from the registry count too
        raise UnmappableEvent(beyond)
    created = decide(None, resolved).after
    assert created is not None
    after = replay(created, snapshot.parked)
    quantities: dict[str, int] = defaultdict(int)
    for line in after.lines:
        quantities[line.product_id] += line.quantity
    stock_parts: list[tuple[str, dict[str, Any]]] = []
    takes_stock = after.status not in (OrderStatus.CANCELLED, OrderStatus.RETURNED)
    if takes_stock:
        for product_id, quantity in sorted(quantities.items()):
            if product_id in oversold:
                stock_parts.append((f"clear:{product_id}", registry.clear_stock(product_id, quantity)))
            else:
                stock_parts.append((f"stock:{product_id}", registry.take_stock(product_id, quantity)))
        taken = {pid: min(q, oversold.get(pid, q)) for pid, q in quantities.items()}
        after = after.model_copy(update={"stock_taken": taken})
        if oversold:
            after = after.model_copy(
                update={"oversold_skus": sorted({ln.sku for ln in after.lines if ln.product_id in oversold})}
            )
    short = dict(oversold) if takes_stock else {}
    change = OrderChange(None, after, event, oversold=short)
    contributions = _contributions(change)
    ids = _notification_ids(contributions)
    parts: list[tuple[str, dict[str, Any]]] = [
        ("order", repository.put_order(after, previous_version=None)),
        (
            "history",
            repository.put_history(event, Outcome.CREATED, message_id=message_id, notification_ids=ids),
        ),
    ]
    if snapshot.parked:
        parts.append(("parked", repository.unpark(event, len(snapshot.parked))))
    parts += stock_parts
    placed = _place(parts, contributions)
    try:
        _commit(parts)
    except _Conflict as conflict:
        if conflict.duplicate:
            return _result(event, Outcome.DUPLICATE)
        if conflict.short_products:
            profiles = registry.products(conflict.short_products)
            oversold.update(
                {pid: int(profiles.get(pid, {}).get("stock", 0)) for pid in conflict.short_products}
            )
        raise _Retry from conflict
    logger.info("order created", extra={"event_id": event.event_id, "status": after.status.value})
    _committed(change, placed)
    return _result(event, Outcome.CREATED, status=after.status.value, notification_ids=ids)


def _apply(event: OrderEvent, record: OrderRecord | None, message_id: str, gone: set[str]) -> EventResult:
    decision: Decision = decide(record, event)
    parts: list[tuple[str, dict[str, Any]]] = []
    change: OrderChange | None = None
    contributions: Contributions = []
    if decision.outcome is Outcome.PARKED:
        parts.append(("order", repository.order_absent(event)))
        parts.append(("parked", repository.park(event)))
    elif decision.after is not None:  # a move, or a late event that shows an earlier placement
        assert record is not None
        change = OrderChange(record, decision.after, event)
        contributions = _contributions(change)
        parts.append(("order", repository.put_order(decision.after, previous_version=record.version)))
        parts += [
            (f"restock:{product_id}", registry.give_back_stock(product_id, pieces))
            for product_id, pieces in sorted(decision.restock.items())
            if product_id not in gone
        ]
    ids = _notification_ids(contributions)
    parts.insert(
        0,
        (
            "history",
            repository.put_history(
                event, decision.outcome, decision.reason, message_id=message_id, notification_ids=ids
            ),
        ),
    )
    placed = _place(parts, contributions)
    try:
        _commit(parts)
    except _Conflict as conflict:
        if conflict.duplicate:
            return _result(event, Outcome.DUPLICATE)
        gone.update(conflict.gone_products)
        raise _Retry from conflict
    if change is not None:
        _committed(change, placed)
    if decision.outcome is Outcome.REJECTED:
        logger.warning("order event rejected", extra={"event_id": event.event_id, "reason": decision.reason})
    status = decision.after.status.value if decision.after else (record.status.value if record else None)
    return _result(event, decision.outcome, status=status, reason=decision.reason, notification_ids=ids)
