"""One adapter per channel: the channel's real payload (pydantic models of its shape) in,
canonical `OrderEvent`s out. Each module exposes `to_order_events(payload) -> list[OrderEvent]`.

`ADAPTERS` is the whole registry: plug a new channel in with one line,
`ADAPTERS["flipkart"] = flipkart.to_order_events`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from chalicelib.connectors.adapters import amazon, flipkart, haat, meesho, ondc, settlement
from chalicelib.connectors.adapters.base import Adapter, describe
from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.models import OrderEvent

CANONICAL_MODELS = frozenset({"OrderEvent", "OrderLine"})
ADAPTERS: dict[str, Adapter] = {
    "haat": haat.to_order_events,
    "ondc": ondc.to_order_events,
    "amazon": amazon.to_order_events,
    "flipkart": flipkart.to_order_events,
    "meesho": meesho.to_order_events,
    settlement.CHANNEL: settlement.to_order_events,
}


def adapter_for(channel: str) -> Adapter:
    """The adapter of `channel`, or UnmappableEvent for a channel nobody maps."""
    try:
        return ADAPTERS[channel]
    except KeyError:
        raise UnmappableEvent(f"no adapter for channel {channel!r}") from None


def map_payload(channel: str, payload: Mapping[str, Any]) -> list[OrderEvent]:
    """`channel`'s payload as OrderEvents; UnmappableEvent (with a reason that names the field,
    never its value) for anything an adapter or the canonical model refuses."""
    adapter = adapter_for(channel)
    try:
        return adapter(payload)
    except ValidationError as error:
        where = f" (Haat's {error.title})" if error.title in CANONICAL_MODELS else ""
        raise UnmappableEvent(f"{channel} payload: {describe(error)}{where}") from error
    except (ValueError, ArithmeticError, TypeError) as error:
        raise UnmappableEvent(
            f"{channel} payload has a value that cannot be used ({type(error).__name__})"
        ) from error
