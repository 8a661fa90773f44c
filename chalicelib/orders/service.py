"""Process one canonical OrderEvent exactly once: read, decide, commit in one transaction, then effects.

Round trips for a new order: one BatchGetItem (order, parked events, dedupe marker, SKU pointers),
one TransactWriteItems (order, history entry, stock decrements, outbox entries); a channel that
sends no prices (Amazon) adds one BatchGetItem of the product profiles. A duplicate costs one read.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from chalicelib.notify.models import Notification
from chalicelib.notify.outbox import outbox_put
from chalicelib.observability import logger, metrics
from chalicelib.orders import effects, repository
from chalicelib.orders.adapters.base import UnmappableEvent
from chalicelib.orders.models import OrderEvent, OrderLine, OrderRecord, OrderStatus
from chalicelib.orders.state import Decision, Outcome, decide, replay
from chalicelib.reports import aggregates

MAX_ATTEMPTS = 5
POINTER_FIELDS = ("sku", "product_id", "shg_id", "district", "block", "craft", "maker_member_ids")


class EventResult(BaseModel):
    event_id: str
    channel: str
    channel_order_id: str
    outcome: Outcome
    status: str | None = None
    reason: str = ""
    notification_ids: list[str] = []


class Oversold(BaseModel):
    """A product ordered beyond its stock, and who is told about it."""

    in_stock: int
    recipients: list[str]


class _Retry(Exception):
    """Someone changed the order between our read and our write: read again."""


def process_event(event: OrderEvent, message_id: str = "") -> EventResult:
    """Apply `event` to its order once; UnmappableEvent if its lines cannot be resolved."""
    oversold: dict[str, Oversold] = {}
    for _ in range(MAX_ATTEMPTS):
        snapshot = repository.read_snapshot(event)
        if snapshot.seen:
            return _result(event, Outcome.DUPLICATE)
        try:
            if snapshot.record is None and decide(None, event).outcome is Outcome.CREATED:
                return _create(event, snapshot, oversold, message_id)
            return _apply(event, snapshot.record, message_id)
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
        profiles = repository.products(line.product_id for line in lines)
        lines = [
            line
            if line.unit_price_paise
            else line.model_copy(
                update={"unit_price_paise": int(profiles.get(line.product_id, {}).get("price_paise", 0))}
            )
            for line in lines
        ]
    return lines


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


def _commit(parts: list[tuple[str, dict[str, Any]]]) -> None:
    """Commit (role, transaction item) parts as one transaction."""
    try:
        repository.commit([item for _, item in parts])
    except repository.TransactionConflict as conflict:
        failed = {role for (role, _), code in zip(parts, conflict.codes, strict=False) if code != "None"}
        raise _Conflict(failed) from conflict


def _create(
    event: OrderEvent, snapshot: repository.Snapshot, oversold: dict[str, Oversold], message_id: str
) -> EventResult:
    resolved = event.model_copy(update={"lines": _resolve(event, snapshot.pointers)})
    created = decide(None, resolved).after
    assert created is not None
    after = replay(created, snapshot.parked)
    quantities: dict[str, int] = defaultdict(int)
    for line in after.lines:
        quantities[line.product_id] += line.quantity
    notifications = effects.notifications_for(None, after)
    stock_parts: list[tuple[str, dict[str, Any]]] = []
    if after.status is not OrderStatus.CANCELLED:
        for product_id, quantity in sorted(quantities.items()):
            if product_id in oversold:
                stock_parts.append((f"clear:{product_id}", repository.clear_stock(product_id, quantity)))
            else:
                stock_parts.append((f"stock:{product_id}", repository.take_stock(product_id, quantity)))
        notifications += _oversell_alerts(after, quantities, oversold)
        if oversold:
            after = after.model_copy(
                update={"oversold_skus": sorted({ln.sku for ln in after.lines if ln.product_id in oversold})}
            )
    ids = [n.notification_id for n in notifications]
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
    parts += [("outbox", outbox_put(n)) for n in notifications]
    tallied = _with_tally(parts, None, after, event)
    try:
        _commit(parts)
    except _Conflict as conflict:
        if conflict.duplicate:
            return _result(event, Outcome.DUPLICATE)
        if conflict.short_products:
            oversold.update(_oversold(after, conflict.short_products))
        raise _Retry from conflict
    logger.info("order created", extra={"event_id": event.event_id, "status": after.status.value})
    effects.on_order_changed(None, after, event, ids, tallied=tallied)
    return _result(event, Outcome.CREATED, status=after.status.value, notification_ids=ids)


def _with_tally(
    parts: list[tuple[str, dict[str, Any]]], before: OrderRecord | None, after: OrderRecord, event: OrderEvent
) -> bool:
    """Add the report counters' updates to the order's transaction if they fit (True), so the
    change is counted exactly when it is recorded; otherwise the hook applies them afterwards."""
    actions = aggregates.order_change_actions(before, after, event)
    if len(parts) + len(actions) > aggregates.MAX_TRANSACTION_ITEMS:
        return False
    parts += [("tally", action) for action in actions]
    return True


def _oversold(record: OrderRecord, product_ids: set[str]) -> dict[str, Oversold]:
    """Stock left and alert recipients (the SHG's coordinator, else the makers) of oversold products."""
    profiles = repository.products(product_ids)
    lines = {line.product_id: line for line in record.lines}
    coordinators = repository.coordinators({lines[pid].shg_id for pid in product_ids})
    return {
        product_id: Oversold(
            in_stock=int(profiles.get(product_id, {}).get("stock", 0)),
            recipients=[coordinators[lines[product_id].shg_id]]
            if coordinators.get(lines[product_id].shg_id)
            else list(lines[product_id].maker_member_ids),
        )
        for product_id in product_ids
    }


def _oversell_alerts(
    record: OrderRecord, quantities: dict[str, int], oversold: dict[str, Oversold]
) -> list[Notification]:
    alerts = []
    for product_id, short in sorted(oversold.items()):
        line = next(ln for ln in record.lines if ln.product_id == product_id)
        for member_id in short.recipients:
            alerts.append(
                effects.oversell_alert(record, line, quantities[product_id], short.in_stock, member_id)
            )
    if alerts:
        metrics.add_metric(name="Oversell", unit="Count", value=len(oversold))
    return alerts


def _apply(event: OrderEvent, record: OrderRecord | None, message_id: str) -> EventResult:
    decision: Decision = decide(record, event)
    parts: list[tuple[str, dict[str, Any]]] = []
    notifications: list[Notification] = []
    if decision.outcome is Outcome.PARKED:
        parts.append(("order", repository.order_absent(event)))
        parts.append(("parked", repository.park(event)))
    elif decision.outcome is Outcome.UPDATED:
        assert record is not None
        assert decision.after is not None
        notifications = effects.notifications_for(record, decision.after)
        parts.append(("order", repository.put_order(decision.after, previous_version=record.version)))
        parts += [("outbox", outbox_put(n)) for n in notifications]
    ids = [n.notification_id for n in notifications]
    parts.insert(
        0,
        (
            "history",
            repository.put_history(
                event, decision.outcome, decision.reason, message_id=message_id, notification_ids=ids
            ),
        ),
    )
    tallied = True
    if decision.outcome is Outcome.UPDATED and decision.after is not None:
        tallied = _with_tally(parts, record, decision.after, event)
    try:
        _commit(parts)
    except _Conflict as conflict:
        if conflict.duplicate:
            return _result(event, Outcome.DUPLICATE)
        raise _Retry from conflict
    if decision.outcome is Outcome.UPDATED and decision.after is not None:
        effects.on_order_changed(record, decision.after, event, ids, tallied=tallied)
    if decision.outcome is Outcome.REJECTED:
        logger.warning("order event rejected", extra={"event_id": event.event_id, "reason": decision.reason})
    status = decision.after.status.value if decision.after else (record.status.value if record else None)
    return _result(event, decision.outcome, status=status, reason=decision.reason, notification_ids=ids)
