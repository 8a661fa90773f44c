"""One adapter per channel: the channel's real payload (pydantic models of its shape) in,
canonical `OrderEvent`s out. Each module exposes `to_order_events(payload) -> list[OrderEvent]`.

`ADAPTERS` is the whole registry, channel -> adapter module: plug a new channel in with one line,
`ADAPTERS["flipkart"] = f"{__name__}.flipkart"`. A module is imported on its channel's first
message, so a consumer builds the pydantic models of the channels it sees, not of every channel (cold start).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from chalicelib.connectors.adapters.base import Adapter, describe
from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.models import OrderEvent

CANONICAL_MODELS = frozenset({"OrderEvent", "OrderLine"})
ADAPTERS: dict[str, str] = {
    "haat": f"{__name__}.haat",
    "ondc": f"{__name__}.ondc",
    "amazon": f"{__name__}.amazon",
    "flipkart": f"{__name__}.flipkart",
    "meesho": f"{__name__}.meesho",
    "settlement": f"{__name__}.settlement",  # settlement.CHANNEL: payouts of a settlement import
}


def adapter_for(channel: str) -> Adapter:
    """The adapter of `channel`, or UnmappableEvent for a channel nobody maps."""
    try:
        module = ADAPTERS[channel]
    except KeyError:
        raise UnmappableEvent(f"no adapter for channel {channel!r}") from None
    adapter: Adapter = importlib.import_module(module).to_order_events
    return adapter


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
