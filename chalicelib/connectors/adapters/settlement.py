"""Payout events of a settlement import (`chalicelib/connectors/settlements/`), already canonical:
the import read the channel's report; the order-events consumer applies them like any order event."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from chalicelib.orders.models import EventKind, OrderEvent

CHANNEL = "settlement"  # the queue attribute of these messages (each event names its own channel)


class SettlementMessage(BaseModel):
    """Body of a `settlement` message on the order-events queue: a chunk of one import's payouts."""

    import_id: str = Field(min_length=1, max_length=64)
    events: list[OrderEvent] = Field(min_length=1, max_length=500)


def to_order_events(payload: Mapping[str, Any]) -> list[OrderEvent]:
    events = SettlementMessage.model_validate(payload).events
    if any(e.kind is not EventKind.PAYOUT or e.settlement is None or e.lines for e in events):
        raise ValueError("a settlement message carries payouts only")
    return events
