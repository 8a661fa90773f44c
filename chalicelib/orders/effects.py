"""What an order change means for people: the notifications hook (connected in
`chalicelib/wiring.py`).

`notifications_for` is pure; the hook puts its notifications in the outbox in the same transaction
as the order, so an order is never recorded without its SMS (nor the SMS queued without the order),
and delivers them once the change is committed.
"""

from __future__ import annotations

from collections import defaultdict

from chalicelib.notify.models import Notification, Template
from chalicelib.notify.outbox import outbox_put
from chalicelib.notify.sender import deliver_pending
from chalicelib.observability import logger, metrics
from chalicelib.orders import sms
from chalicelib.orders.hooks import Contribution, OrderChange
from chalicelib.orders.models import OPEN_STATUSES, OrderLine, OrderRecord, OrderStatus
from chalicelib.orders.recipients import told_of
from chalicelib.registry import repository as registry

RETURN_STATUSES = frozenset({OrderStatus.RETURN_REQUESTED, OrderStatus.RETURNED})


def notifications_for(before: OrderRecord | None, after: OrderRecord) -> list[Notification]:
    """For a new order, a cancellation or a return: one SMS per member told of the order (its
    makers, see `recipients`) and line of hers; ids make each one unique."""
    if before is None and after.status in OPEN_STATUSES:
        template = Template.NEW_ORDER
    elif before is not None and before.status != after.status and after.status is OrderStatus.CANCELLED:
        template = Template.CANCELLATION
    elif before is not None and before.status not in RETURN_STATUSES and after.status in RETURN_STATUSES:
        template = Template.RETURN
    else:
        return []
    channel = after.channel.value
    cycle = f":{after.return_requests}" if template is Template.RETURN else ""  # a return can recur
    return [
        Notification(
            notification_id=f"{template.value}:{channel}:{after.channel_order_id}{told.suffix}{cycle}",
            template=template,
            member_id=told.member_id,
            shg_id=told.shg_id,
            variables=sms.new_order_variables(after, told.line)
            if template is Template.NEW_ORDER
            else sms.order_variables(after, told.line),
        )
        for told in sms.told_lines(after)
    ]


def oversell_alert(
    record: OrderRecord, line: OrderLine, ordered: int, in_stock: int, member_id: str
) -> Notification:
    channel = record.channel.value
    return Notification(
        notification_id=f"{Template.OVERSELL_ALERT.value}:{channel}:{record.channel_order_id}:{line.sku}:{member_id}",
        template=Template.OVERSELL_ALERT,
        member_id=member_id,
        shg_id=line.shg_id,
        variables=sms.oversell_variables(record, line, ordered, in_stock),
    )


def oversell_alerts(record: OrderRecord, oversold: dict[str, int]) -> list[Notification]:
    """For each product ordered beyond its stock (product_id -> units left), an alert to the SHG's
    cluster coordinator, or to those told of the order (its makers) when the SHG has none."""
    if not oversold:
        return []
    quantities: dict[str, int] = defaultdict(int)
    for line in record.lines:
        quantities[line.product_id] += line.quantity
    lines = {line.product_id: line for line in record.lines}
    coordinators = registry.coordinators({lines[pid].shg_id for pid in oversold})
    alerts = []
    for product_id, in_stock in sorted(oversold.items()):
        line = next(ln for ln in record.lines if ln.product_id == product_id)
        coordinator = coordinators.get(lines[product_id].shg_id)
        recipients = [coordinator] if coordinator else told_of(lines[product_id])
        alerts += [
            oversell_alert(record, line, quantities[product_id], in_stock, member_id)
            for member_id in recipients
        ]
    if alerts:
        metrics.add_metric(name="Oversell", unit="Count", value=len(oversold))
    return alerts


class OrderNotifications:
    """The order-change hook that tells people: SMS to those told of the order (new order,
    cancellation, return) and
    oversell alerts, queued in the order's transaction and delivered in real time after it commits
    (the scheduled `deliver_notifications` retries whatever this could not send)."""

    role = "outbox"

    def contribute(self, change: OrderChange) -> Contribution:
        notifications = notifications_for(change.before, change.after)
        notifications += oversell_alerts(change.after, dict(change.oversold))
        return Contribution(
            actions=[outbox_put(n) for n in notifications],
            notification_ids=[n.notification_id for n in notifications],
        )

    def committed(self, change: OrderChange, contribution: Contribution, *, in_transaction: bool) -> None:
        if contribution.notification_ids:
            results = deliver_pending(contribution.notification_ids)
            logger.info(
                "order notifications delivered",
                extra={"event_id": change.event.event_id, "states": [result.state for result in results]},
            )
