"""The order state machine: what an event does to an order. Plain functions; no AWS here.

Statuses only move forward along the lifecycle, except that a return can be turned down (return
requested -> delivered) and asked for again, any number of times. An event older than the order's
latest, or one that would move it backwards, is out of order (kept in the history as `stale`); one
that jumps where no channel can go (a cancelled order shipped, a delivered order cancelled) is
`rejected`, and so is one from another account than the one that created the order
(orders/identity.py). None of them changes the order's status.

Placement day: an order is never placed after anything happens to it, so its `placed_at` is the
earliest of the channel's stated order time and the times of all its events, whatever order they
arrive in. A late event that shows an earlier placement corrects it (even a stale one).

Stock: what an order took from stock goes back when it is cancelled before dispatch or its return
is completed; `stock_taken` is emptied then, so it can only go back once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from chalicelib.orders.models import (
    OPEN_STATUSES,
    EventKind,
    OrderEvent,
    OrderRecord,
    OrderStatus,
    Settlement,
)

S = OrderStatus

# Where each status may go next (skipping intermediate states is fine: channels do not report all).
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PLACED: frozenset({S.ACCEPTED, S.PACKED, S.SHIPPED, S.DELIVERED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.PACKED, S.SHIPPED, S.DELIVERED, S.CANCELLED}),
    S.PACKED: frozenset({S.SHIPPED, S.DELIVERED, S.CANCELLED}),
    S.SHIPPED: frozenset({S.DELIVERED, S.RETURN_REQUESTED, S.RETURNED}),
    S.DELIVERED: frozenset({S.RETURN_REQUESTED, S.RETURNED}),
    S.RETURN_REQUESTED: frozenset({S.RETURNED, S.DELIVERED}),
    S.CANCELLED: frozenset(),
    S.RETURNED: frozenset(),
}

# Position along the forward lifecycle; a lower rank than the current one means "older news".
RANK: dict[OrderStatus, int] = {
    S.PLACED: 0,
    S.ACCEPTED: 1,
    S.PACKED: 2,
    S.SHIPPED: 3,
    S.DELIVERED: 4,
    S.RETURN_REQUESTED: 5,
    S.RETURNED: 6,
    S.CANCELLED: 7,
}

DEFAULT_DISPATCH_WINDOW = timedelta(hours=48)
RETURN_STATUSES = frozenset({S.RETURN_REQUESTED, S.RETURNED})


class Outcome(StrEnum):
    CREATED = "created"  # first event of an order: the record is created
    UPDATED = "updated"  # the order moved forward (or took a payout)
    UNCHANGED = "unchanged"  # same status again: recorded in the history only
    STALE = "stale"  # out of order: older news than what the order already says
    REJECTED = "rejected"  # an impossible transition: recorded with the reason
    PARKED = "parked"  # event for an order not seen yet and not enough to create it: kept
    DUPLICATE = "duplicate"  # this event was already processed


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    after: OrderRecord | None = None  # the order as it must be stored; None: it stays as it is
    reason: str = ""
    restock: dict[str, int] = {}  # product_id -> pieces that go back to stock with this change


def can_create(event: OrderEvent) -> bool:
    """An order record needs at least its lines and a status."""
    return event.kind is EventKind.ORDER and event.status is not None and bool(event.lines)


def create(event: OrderEvent) -> OrderRecord:
    """The record for the first event of an order (whatever status that event reports)."""
    assert event.status is not None
    return _with_status_times(
        OrderRecord(
            channel=event.channel,
            channel_order_id=event.channel_order_id,
            status=event.status,
            placed_at=event.placed_no_later_than,
            last_event_time=event.event_time,
            dispatch_by=event.dispatch_by or event.event_time + DEFAULT_DISPATCH_WINDOW,
            lines=event.lines,
            delivery_city=event.delivery_city,
            delivery_pincode=event.delivery_pincode,
            outlet_id=event.outlet_id,
            return_requests=int(event.status in RETURN_STATUSES),
            stock_taken={},  # the service records what it takes, in the same transaction
            account=event.account,
            version=1,
        ),
        event,
    )


def _settle(record: OrderRecord, settlement: Settlement) -> Decision:
    """A settlement adds to what the order has received, once per reference (a re-imported report,
    or the same remittance in two reports, changes nothing)."""
    if any(s.reference == settlement.reference for s in record.settlements):
        return Decision(
            outcome=Outcome.UNCHANGED, reason=f"settlement {settlement.reference} already applied"
        )
    settlements = [*record.settlements, settlement]
    after = record.model_copy(
        update={
            "settlements": settlements,
            "payout_paise": sum(s.net_paise for s in settlements),
            "channel_fee_paise": sum(s.fee_paise for s in settlements),
            "version": record.version + 1,
        }
    )
    return Decision(outcome=Outcome.UPDATED, after=after)


def decide(record: OrderRecord | None, event: OrderEvent) -> Decision:  # noqa: PLR0911
    """What `event` does to the order `record` (None: the order is not known yet)."""
    if record is None:
        if can_create(event):
            return Decision(outcome=Outcome.CREATED, after=create(event))
        return Decision(outcome=Outcome.PARKED, reason="order not known yet; kept until it arrives")
    if event.kind is EventKind.PAYOUT and event.settlement is not None:
        # The mission's own record of money received (an authenticated settlement import), not
        # a channel sender's claim: it settles the order whoever placed it.
        return _settle(record, event.settlement)
    if record.account and event.account != record.account:
        sender = event.account or "an unverified sender"
        return Decision(
            outcome=Outcome.REJECTED, reason=f"sent by {sender[:80]}; the order belongs to {record.account}"
        )
    if event.kind is EventKind.PAYOUT:
        after = record.model_copy(
            update={
                "payout_paise": event.payout_paise if event.payout_paise is not None else record.payout_paise,
                "channel_fee_paise": event.channel_fee_paise
                if event.channel_fee_paise is not None
                else record.channel_fee_paise,
                "version": record.version + 1,
            }
        )
        return Decision(outcome=Outcome.UPDATED, after=after)
    target = event.status
    placed_at = min(record.placed_at, event.placed_no_later_than)
    if target is not None and _moves(record, target, event):
        return _move(record, target, event, placed_at)
    older_news = event.event_time < record.last_event_time
    if target is None or target == record.status:
        outcome, reason = Outcome.UNCHANGED, "status unchanged"
    elif older_news or (RANK[target] < RANK[record.status] and record.status is not S.CANCELLED):
        outcome, reason = Outcome.STALE, f"{target} arrived after {record.status}"
    else:
        return Decision(outcome=Outcome.REJECTED, reason=f"invalid transition {record.status} -> {target}")
    if placed_at < record.placed_at:
        corrected = record.model_copy(update={"placed_at": placed_at, "version": record.version + 1})
        reason += f"; placed by {placed_at.isoformat()}, earlier than known"
        return Decision(outcome=outcome, after=corrected, reason=reason)
    return Decision(outcome=outcome, reason=reason)


def _moves(record: OrderRecord, target: OrderStatus, event: OrderEvent) -> bool:
    """Whether `target` is where the order goes next. Moving back (a return turned down) or asking
    for a return again needs news newer than the order's last change: an old event is not a cycle."""
    if target == record.status or target not in TRANSITIONS[record.status]:
        return False
    repeats = (record.status is S.RETURN_REQUESTED and target is S.DELIVERED) or (
        target in RETURN_STATUSES and record.status not in RETURN_STATUSES and record.return_requests > 0
    )
    return not (repeats and event.event_time < record.last_event_time)


def _move(record: OrderRecord, target: OrderStatus, event: OrderEvent, placed_at: datetime) -> Decision:
    restock = held_stock(record) if _gives_stock_back(record.status, target) else {}
    new_return = target in RETURN_STATUSES and record.status not in RETURN_STATUSES
    after = record.model_copy(
        update={
            "status": target,
            "placed_at": placed_at,
            "last_event_time": max(record.last_event_time, event.event_time),
            "dispatch_by": event.dispatch_by or record.dispatch_by,
            "return_requests": record.return_requests + int(new_return),
            "stock_taken": {} if restock else record.stock_taken,
            "version": record.version + 1,
        }
    )
    return Decision(outcome=Outcome.UPDATED, after=_with_status_times(after, event), restock=restock)


def _gives_stock_back(current: OrderStatus, target: OrderStatus) -> bool:
    """Cancelled before dispatch, or the return completed: the pieces are back on the shelf."""
    return (target is S.CANCELLED and current in OPEN_STATUSES) or (
        target is S.RETURNED and current is not S.RETURNED
    )


def held_stock(record: OrderRecord) -> dict[str, int]:
    """Pieces of each product this order holds from stock (for orders recorded before `stock_taken`
    existed: its lines, except oversold products, whose share of stock is not known)."""
    if record.stock_taken is not None:
        return {product_id: pieces for product_id, pieces in record.stock_taken.items() if pieces > 0}
    if record.status in (S.CANCELLED, S.RETURNED):
        return {}
    held: dict[str, int] = defaultdict(int)
    for line in record.lines:
        if line.product_id and line.sku not in record.oversold_skus:
            held[line.product_id] += line.quantity
    return dict(held)


def replay(record: OrderRecord, parked: list[OrderEvent]) -> OrderRecord:
    """Apply events that arrived before their order did, oldest first; stale or invalid ones are skipped."""
    for event in sorted(parked, key=lambda e: e.event_time):
        decision = decide(record, event)
        if decision.after is not None:
            record = decision.after.model_copy(update={"version": record.version})
    return record


def _with_status_times(record: OrderRecord, event: OrderEvent) -> OrderRecord:
    if record.status is S.SHIPPED and record.shipped_at is None:
        return record.model_copy(update={"shipped_at": event.event_time})
    if record.status is S.DELIVERED and record.delivered_at is None:
        return record.model_copy(update={"delivered_at": event.event_time})
    return record
