"""What every channel adapter shares."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Protocol

from pydantic import ValidationError

from chalicelib.orders.errors import UnmappableEvent
from chalicelib.orders.models import PAISE_CEILING, OrderEvent


class Adapter(Protocol):
    def __call__(self, payload: Mapping[str, Any]) -> list[OrderEvent]: ...


def describe(error: ValidationError) -> str:
    """The first validation problem, as a quarantine reason: 'Field required at Payload.AmazonOrderId'."""
    first = error.errors()[0]
    return f"{first['msg']} at {'.'.join(str(part) for part in first['loc'])}"


def rupees_to_paise(value: str | int | float | Decimal) -> int:
    """'1800.50' rupees -> 180050 paise, without float rounding errors; UnmappableEvent for what is
    not a price (not a number, NaN, Infinity, negative, beyond the model's ceiling)."""
    text = str(value).strip()[:40]
    try:
        rupees = Decimal(text)
    except InvalidOperation as error:
        raise UnmappableEvent(f"not an amount: {text!r}") from error
    if not rupees.is_finite():
        raise UnmappableEvent(f"not a finite amount: {text!r}")
    if rupees < 0:
        raise UnmappableEvent(f"negative amount: {text!r}")
    if rupees * 100 > PAISE_CEILING:
        raise UnmappableEvent(f"amount beyond any order: {text!r}")
    return int((rupees * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
