"""What an order change means for people: which notifications it creates, and the hook that runs
after the change is committed.

`notifications_for` is pure: the service writes its result in the same transaction as the order,
so an order is never recorded without its SMS (nor the SMS queued without the order).
"""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.notify.models import Notification, Template
from chalicelib.notify.sender import deliver_pending
from chalicelib.notify.templates import format_deadline, format_rupees
from chalicelib.observability import logger
from chalicelib.orders.models import OPEN_STATUSES, OrderEvent, OrderLine, OrderRecord, OrderStatus
from chalicelib.reports import aggregates

CHANNEL_NAMES = {
    "haat": "Haat",
    "ondc": "ONDC",
    "amazon": "Amazon",
    "flipkart": "Flipkart",
    "meesho": "Meesho",
}
RETURN_STATUSES = frozenset({OrderStatus.RETURN_REQUESTED, OrderStatus.RETURNED})


def _items(lines: Sequence[OrderLine]) -> str:
    """'SGR-PM-BOX-02 x2', or 'SGR-PM-BOX-02 x2 +1' for more lines (a DLT variable holds 30 characters)."""
    first = lines[0]
    text = f"{first.sku or first.channel_sku} x{first.quantity}"
    return text if len(lines) == 1 else f"{text} +{len(lines) - 1}"


def _lines_by_member(record: OrderRecord) -> dict[tuple[str, str], list[OrderLine]]:
    by_member: dict[tuple[str, str], list[OrderLine]] = {}
    for line in record.lines:
        for member_id in line.maker_member_ids:
            by_member.setdefault((line.shg_id, member_id), []).append(line)
    return by_member


def notifications_for(before: OrderRecord | None, after: OrderRecord) -> list[Notification]:
    """One SMS per maker for a new order, a cancellation or a return; ids make each one unique."""
    if before is None and after.status in OPEN_STATUSES:
        template = Template.NEW_ORDER
    elif before is not None and before.status != after.status and after.status is OrderStatus.CANCELLED:
        template = Template.CANCELLATION
    elif before is not None and before.status not in RETURN_STATUSES and after.status in RETURN_STATUSES:
        template = Template.RETURN
    else:
        return []
    channel = after.channel.value
    notifications = []
    for (shg_id, member_id), lines in sorted(_lines_by_member(after).items()):
        variables = {
            "channel": CHANNEL_NAMES.get(channel, channel),
            "order_id": after.channel_order_id,
            "items": _items(lines),
            "amount": format_rupees(sum(line.total_paise for line in lines)),
            "dispatch_by": format_deadline(after.dispatch_by) if after.dispatch_by else "-",
        }
        notifications.append(
            Notification(
                notification_id=f"{template.value}:{channel}:{after.channel_order_id}:{member_id}",
                template=template,
                member_id=member_id,
                shg_id=shg_id,
                variables=variables,
            )
        )
    return notifications


def oversell_alert(
    record: OrderRecord, line: OrderLine, ordered: int, in_stock: int, member_id: str
) -> Notification:
    channel = record.channel.value
    return Notification(
        notification_id=f"{Template.OVERSELL_ALERT.value}:{channel}:{record.channel_order_id}:{line.sku}:{member_id}",
        template=Template.OVERSELL_ALERT,
        member_id=member_id,
        shg_id=line.shg_id,
        variables={
            "sku": line.sku,
            "channel": CHANNEL_NAMES.get(channel, channel),
            "order_id": record.channel_order_id,
            "ordered": str(ordered),
            "in_stock": str(in_stock),
        },
    )


def on_order_changed(
    before: OrderRecord | None,
    after: OrderRecord,
    event: OrderEvent,
    notification_ids: Sequence[str] = (),
    *,
    tallied: bool = True,
) -> None:
    """Runs once per committed change of an order (never for duplicates, stale or rejected events).

    It delivers the change's notifications in real time (the scheduled `deliver_notifications`
    retries whatever this could not send) and, for a change too large to share the order's
    transaction (`tallied` False), adds it to the report counters (idempotent per event).
    """
    if not tallied:
        aggregates.record_order_change(before, after, event)
    if notification_ids:
        results = deliver_pending(notification_ids)
        logger.info(
            "order notifications delivered",
            extra={"event_id": event.event_id, "states": [result.state for result in results]},
        )
