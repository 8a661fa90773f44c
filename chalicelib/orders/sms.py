"""What an order's SMS say: to each member told of it, a product named as she knows it, how many.

Pure functions from order records to typed template variables (the order path and the dispatch
sweep both use them); no AWS here.
"""

from __future__ import annotations

from typing import NamedTuple

from chalicelib.notify.models import (
    NewOrderVariables,
    OrderVariables,
    OversellVariables,
    ReminderVariables,
    Words,
)
from chalicelib.notify.templates import channel_name, format_deadline, format_rupees, whole_tail
from chalicelib.orders.models import OrderLine, OrderRecord
from chalicelib.orders.recipients import told_of
from chalicelib.registry.models import SHORT_NAME_MAX, Language, shorten_at_word


class Told(NamedTuple):
    """One SMS of an order: a member, one of the lines she was told of, and its id's suffix."""

    shg_id: str
    member_id: str
    line: OrderLine
    suffix: str


def told_lines(record: OrderRecord) -> list[Told]:
    """Each member told of the order, once per line of hers: every SMS names one product and its
    quantity, so none hides what to pack behind "+1 more". A member with one line keeps the plain
    id suffix (":member"); with several, each line adds its SKU."""
    by_member: dict[tuple[str, str], list[OrderLine]] = {}
    for line in record.lines:
        for member_id in told_of(line):
            by_member.setdefault((line.shg_id, member_id), []).append(line)
    return [
        Told(shg_id, member_id, line, f":{member_id}" if len(lines) == 1 else f":{member_id}:{line.sku}")
        for (shg_id, member_id), lines in sorted(by_member.items())
        for line in lines
    ]


def product_words(line: OrderLine) -> Words:
    """The line's product by its short name in each language (the registry's, else its title)."""
    fallback = shorten_at_word(line.title, SHORT_NAME_MAX) or whole_tail(line.sku or line.channel_sku)
    english = line.short_name.get(Language.ENGLISH.value) or fallback
    return Words(**{language.value: line.short_name.get(language.value) or english for language in Language})


def order_variables(record: OrderRecord, line: OrderLine) -> OrderVariables:
    """Which order, what to pack and how many."""
    return OrderVariables(
        channel=channel_name(record.channel.value),
        order_id=whole_tail(record.channel_order_id),
        product=product_words(line),
        quantity=line.quantity,
    )


def new_order_variables(record: OrderRecord, line: OrderLine) -> NewOrderVariables:
    assert record.dispatch_by is not None, "a created order always has a dispatch deadline"
    return NewOrderVariables(
        **dict(order_variables(record, line)),
        amount=format_rupees(line.total_paise),
        dispatch_by=format_deadline(record.dispatch_by),
    )


def reminder_variables(record: OrderRecord, line: OrderLine) -> ReminderVariables:
    assert record.dispatch_by is not None, "only orders with a deadline are chased"
    return ReminderVariables(
        **dict(order_variables(record, line)), dispatch_by=format_deadline(record.dispatch_by)
    )


def oversell_variables(
    record: OrderRecord, line: OrderLine, ordered: int, in_stock: int
) -> OversellVariables:
    return OversellVariables(
        channel=channel_name(record.channel.value),
        order_id=whole_tail(record.channel_order_id),
        product=product_words(line),
        ordered=ordered,
        in_stock=in_stock,
    )
