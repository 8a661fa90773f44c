"""Why a message cannot become an order change (raised by channel adapters and by the service)."""

from __future__ import annotations


class UnmappableEvent(Exception):
    """The payload is well-formed JSON but cannot become an OrderEvent; the reason is quarantined."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
