"""The business bounds of an order message, configurable per stage; beyond them it is quarantined.

The canonical model (`models.py`) already refuses what no order can be (negative or non-finite
money, numbers past its hard ceilings); these bounds are the mission's own, tighter idea of a sane
order: a price typed with three zeros too many must not become revenue, stock and an SMS.
"""

from __future__ import annotations

import functools
import os

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.notify.templates import format_rupees
from chalicelib.orders.models import LINES_CEILING, PAISE_CEILING, QUANTITY_CEILING, OrderEvent, OrderLine

# An order item must stay under DynamoDB's 400 KB with its keys, history and bookkeeping beside it.
EVENT_MAX_BYTES = 300_000


class OrderLimits(BaseModel):
    """Environment variables (all optional) and their defaults."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    ORDER_MAX_UNIT_PRICE_RUPEES: int = Field(default=10_00_000, ge=1, le=PAISE_CEILING // 100)
    ORDER_MAX_LINE_QUANTITY: int = Field(default=1_000, ge=1, le=QUANTITY_CEILING)
    ORDER_MAX_LINE_VALUE_RUPEES: int = Field(default=25_00_000, ge=1)
    ORDER_MAX_ORDER_VALUE_RUPEES: int = Field(default=50_00_000, ge=1)
    ORDER_MAX_LINES: int = Field(default=50, ge=1, le=LINES_CEILING)
    ORDER_MAX_JSON_DEPTH: int = Field(default=20, ge=4, le=200)


@functools.cache
def order_limits() -> OrderLimits:
    return OrderLimits.model_validate(dict(os.environ))


def _rupees(paise: int) -> str:
    return f"Rs {format_rupees(paise)}"


def _line_problem(index: int, line: OrderLine, limits: OrderLimits) -> str | None:
    name = f"line {index} ({line.channel_sku[:40]})"
    if line.quantity > limits.ORDER_MAX_LINE_QUANTITY:
        most = limits.ORDER_MAX_LINE_QUANTITY
        return f"{name}: {line.quantity} pieces, above ORDER_MAX_LINE_QUANTITY {most}"
    if line.unit_price_paise > limits.ORDER_MAX_UNIT_PRICE_RUPEES * 100:
        return (
            f"{name}: {_rupees(line.unit_price_paise)} a piece, above ORDER_MAX_UNIT_PRICE_RUPEES "
            f"{_rupees(limits.ORDER_MAX_UNIT_PRICE_RUPEES * 100)}"
        )
    if line.total_paise > limits.ORDER_MAX_LINE_VALUE_RUPEES * 100:
        return (
            f"{name}: worth {_rupees(line.total_paise)}, above ORDER_MAX_LINE_VALUE_RUPEES "
            f"{_rupees(limits.ORDER_MAX_LINE_VALUE_RUPEES * 100)}"
        )
    return None


def problem(event: OrderEvent, limits: OrderLimits | None = None) -> str | None:
    """Why `event` is beyond the bounds (a quarantine reason), or None when it is within them."""
    limits = limits or order_limits()
    if len(event.lines) > limits.ORDER_MAX_LINES:
        return f"{len(event.lines)} lines, above ORDER_MAX_LINES {limits.ORDER_MAX_LINES}"
    for index, line in enumerate(event.lines, start=1):
        if found := _line_problem(index, line, limits):
            return found
    if event.total_paise > limits.ORDER_MAX_ORDER_VALUE_RUPEES * 100:
        return (
            f"order worth {_rupees(event.total_paise)}, above ORDER_MAX_ORDER_VALUE_RUPEES "
            f"{_rupees(limits.ORDER_MAX_ORDER_VALUE_RUPEES * 100)}"
        )
    size = len(event.model_dump_json().encode())
    if size > EVENT_MAX_BYTES:
        return f"order of {size} bytes, above {EVENT_MAX_BYTES} (a DynamoDB item holds 400 KB)"
    return None
