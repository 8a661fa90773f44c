"""One adapter per channel: the channel's real payload (pydantic models of its shape) in,
canonical `OrderEvent`s out. Each module exposes `to_order_events(payload) -> list[OrderEvent]`.

`ADAPTERS` is the whole registry: plug a new channel in with one line,
`ADAPTERS["flipkart"] = flipkart.to_order_events`.
"""

from __future__ import annotations

from chalicelib.connectors.adapters import amazon, flipkart, haat, meesho, ondc
from chalicelib.connectors.adapters.base import Adapter
from chalicelib.orders.errors import UnmappableEvent

ADAPTERS: dict[str, Adapter] = {
    "haat": haat.to_order_events,
    "ondc": ondc.to_order_events,
    "amazon": amazon.to_order_events,
    "flipkart": flipkart.to_order_events,
    "meesho": meesho.to_order_events,
}


def adapter_for(channel: str) -> Adapter:
    """The adapter of `channel`, or UnmappableEvent for a channel nobody maps."""
    try:
        return ADAPTERS[channel]
    except KeyError:
        raise UnmappableEvent(f"no adapter for channel {channel!r}") from None
