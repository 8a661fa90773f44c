"""The order state machine: forward only, stale and invalid events recorded, parked ones replayed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.orders.models import EventKind, OrderEvent, OrderLine, OrderStatus
from chalicelib.orders.state import Outcome, create, decide, replay

S = OrderStatus
T0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)


def _event(
    status: S | None, minutes: int = 0, *, lines: bool = True, kind: EventKind = EventKind.ORDER
) -> OrderEvent:
    return OrderEvent(
        event_id=f"e-{status}-{minutes}",
        channel="amazon",
        channel_order_id="408-1",
        kind=kind,
        status=status,
        event_time=T0 + timedelta(minutes=minutes),
        lines=[OrderLine(channel_sku="AMZ-1", quantity=1, unit_price_paise=100)] if lines else [],
        payout_paise=9000 if kind is EventKind.PAYOUT else None,
    )


def test_first_event_creates_the_order_with_a_default_dispatch_deadline() -> None:
    decision = decide(None, _event(S.PLACED))
    assert decision.outcome is Outcome.CREATED
    assert decision.after is not None
    assert decision.after.dispatch_by == T0 + timedelta(hours=48)
    assert decision.after.version == 1


def test_event_without_lines_for_an_unknown_order_is_parked() -> None:
    assert decide(None, _event(S.CANCELLED, lines=False)).outcome is Outcome.PARKED


@pytest.mark.parametrize(
    ("current", "target", "outcome"),
    [
        (S.PLACED, S.ACCEPTED, Outcome.UPDATED),
        (S.PLACED, S.SHIPPED, Outcome.UPDATED),
        (S.PACKED, S.CANCELLED, Outcome.UPDATED),
        (S.SHIPPED, S.RETURNED, Outcome.UPDATED),
        (S.SHIPPED, S.ACCEPTED, Outcome.STALE),
        (S.DELIVERED, S.PLACED, Outcome.STALE),
        (S.CANCELLED, S.SHIPPED, Outcome.REJECTED),
        (S.CANCELLED, S.PLACED, Outcome.REJECTED),
        (S.DELIVERED, S.CANCELLED, Outcome.REJECTED),
        (S.ACCEPTED, S.ACCEPTED, Outcome.UNCHANGED),
    ],
)
def test_transitions(current: S, target: S, outcome: Outcome) -> None:
    record = create(_event(current))
    decision = decide(record, _event(target, 10))
    assert decision.outcome is outcome
    if outcome is Outcome.UPDATED:
        assert decision.after is not None
        assert decision.after.status is target
        assert decision.after.version == record.version + 1
    else:
        assert decision.after is None


def test_older_event_after_a_cancellation_is_stale_not_rejected() -> None:
    cancelled = create(_event(S.CANCELLED, 30))
    decision = decide(cancelled, _event(S.ACCEPTED, 0))
    assert decision.outcome is Outcome.STALE


def test_shipping_and_delivery_times_are_kept() -> None:
    shipped = decide(create(_event(S.PLACED)), _event(S.SHIPPED, 30)).after
    assert shipped is not None
    assert shipped.shipped_at == T0 + timedelta(minutes=30)


def test_payout_sets_the_settlement() -> None:
    paid = decide(create(_event(S.DELIVERED)), _event(None, 60, kind=EventKind.PAYOUT)).after
    assert paid is not None
    assert paid.payout_paise == 9000
    assert paid.status is S.DELIVERED


def test_parked_events_are_replayed_oldest_first() -> None:
    record = create(_event(S.PLACED))
    replayed = replay(record, [_event(S.SHIPPED, 20, lines=False), _event(S.ACCEPTED, 10, lines=False)])
    assert replayed.status is S.SHIPPED
    assert replayed.version == record.version
