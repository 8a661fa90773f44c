"""What every channel adapter shares."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from chalicelib.orders.models import OrderEvent


class UnmappableEvent(Exception):
    """The payload is well-formed JSON but cannot become an OrderEvent; the reason is quarantined."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Adapter(Protocol):
    def __call__(self, payload: Mapping[str, Any]) -> list[OrderEvent]: ...
