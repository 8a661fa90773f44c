"""The order state machine: what an event does to an order. Plain functions; no AWS here.

Statuses only move forward along the lifecycle. An event older than the order's latest, or one that
would move it backwards, is out of order (kept in the history as `stale`); one that jumps where no
channel can go (a cancelled order shipped, a delivered order cancelled) is `rejected`. Neither
changes the order.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from chalicelib.orders.models import EventKind, OrderEvent, OrderRecord, OrderStatus

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
    after: OrderRecord | None = None
    reason: str = ""


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
            placed_at=event.event_time,
            last_event_time=event.event_time,
            dispatch_by=event.dispatch_by or event.event_time + DEFAULT_DISPATCH_WINDOW,
            lines=event.lines,
            delivery_city=event.delivery_city,
            delivery_pincode=event.delivery_pincode,
            outlet_id=event.outlet_id,
            version=1,
        ),
        event,
    )


def decide(record: OrderRecord | None, event: OrderEvent) -> Decision:  # noqa: PLR0911
    """What `event` does to the order `record` (None: the order is not known yet)."""
    if record is None:
        if can_create(event):
            return Decision(outcome=Outcome.CREATED, after=create(event))
        return Decision(outcome=Outcome.PARKED, reason="order not known yet; kept until it arrives")
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
    if target is None or target == record.status:
        return Decision(outcome=Outcome.UNCHANGED, reason="status unchanged")
    if target in TRANSITIONS[record.status]:
        after = record.model_copy(
            update={
                "status": target,
                "last_event_time": max(record.last_event_time, event.event_time),
                "dispatch_by": event.dispatch_by or record.dispatch_by,
                "version": record.version + 1,
            }
        )
        return Decision(outcome=Outcome.UPDATED, after=_with_status_times(after, event))
    older_news = event.event_time < record.last_event_time
    if older_news or (RANK[target] < RANK[record.status] and record.status is not S.CANCELLED):
        return Decision(outcome=Outcome.STALE, reason=f"{target} arrived after {record.status}")
    return Decision(outcome=Outcome.REJECTED, reason=f"invalid transition {record.status} -> {target}")


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
