"""The dispatch sweep: chase open orders whose dispatch-by deadline is near or past.

Due orders come from the orders repository's paginated Query of its "OPEN" index (sorted by
deadline), so a sweep reads only orders due within the window. Each notification has a
deterministic id and the outbox puts it conditionally, so each stage reaches each person once per
order, however often the sweep runs or re-runs after a crash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError

from chalicelib.calendar import IST
from chalicelib.dynamo import from_item
from chalicelib.notify import outbox
from chalicelib.notify.models import Notification, Template
from chalicelib.observability import logger
from chalicelib.orders import repository as orders
from chalicelib.orders.models import OPEN_STATUSES, OrderRecord
from chalicelib.registry.models import Member, MemberRole
from chalicelib.registry.repository import RegistryCache


@dataclass
class SweepOutcome:
    due: int = 0
    reminders: int = 0
    escalations: int = 0
    already_sent: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def _makers(order: OrderRecord, cache: RegistryCache) -> list[tuple[str, Member]]:
    """(shg_id, member) of each maker of the order; an SHG's artisans when a line names none."""
    makers: dict[str, tuple[str, Member]] = {}
    for line in order.lines:
        members = cache.members_of(line.shg_id) if line.shg_id else {}
        ids = line.maker_member_ids or [m.member_id for m in members.values() if m.role == MemberRole.ARTISAN]
        for member_id in ids:
            if member_id in members:
                makers[member_id] = (line.shg_id, members[member_id])
    return [makers[member_id] for member_id in sorted(makers)]


def _coordinators(order: OrderRecord, cache: RegistryCache) -> list[tuple[str, Member]]:
    found: dict[str, tuple[str, Member]] = {}
    for shg_id in sorted({line.shg_id for line in order.lines if line.shg_id}):
        shg = cache.shg(shg_id)
        if shg and shg.coordinator_member_id:
            member = cache.members_of(shg_id).get(shg.coordinator_member_id)
            if member is not None:
                found[member.member_id] = (shg_id, member)
    return [found[member_id] for member_id in sorted(found)]


def notifications_for(order: OrderRecord, now: datetime, cache: RegistryCache) -> list[Notification]:
    """The reminder (deadline ahead) or the escalation (deadline passed) of one due order."""
    assert order.dispatch_by is not None
    overdue = order.dispatch_by <= now
    template = Template.DISPATCH_ESCALATION if overdue else Template.DISPATCH_REMINDER
    recipients = _makers(order, cache) + (_coordinators(order, cache) if overdue else [])
    deadline_ist = order.dispatch_by.astimezone(IST).strftime("%d %b %H:%M")
    seen: set[str] = set()
    notifications = []
    for shg_id, member in recipients:
        if member.member_id in seen:
            continue
        seen.add(member.member_id)
        notifications.append(
            Notification(
                notification_id=f"{template.value}:{order.channel.value}:{order.channel_order_id}:"
                f"{member.member_id}",
                template=template,
                member_id=member.member_id,
                shg_id=shg_id,
                variables={
                    "channel": order.channel.value,
                    "order_id": order.channel_order_id,
                    "dispatch_by": deadline_ist,
                    "language": member.language.value,
                    "role": member.role.value,
                },
            )
        )
    return notifications


def sweep(now: datetime, window: timedelta) -> SweepOutcome:
    """Enqueue reminders for orders due within `window` of `now` and escalations for overdue ones."""
    outcome = SweepOutcome()
    cache = RegistryCache()  # SHGs and members looked up once per sweep, however many orders are due
    for item in orders.open_orders_due(now + window):
        try:
            order = OrderRecord.model_validate(from_item(item))
        except ValidationError as error:
            outcome.skipped += 1
            logger.warning(
                "unreadable open order", extra={"pk": item.get("pk"), "errors": error.error_count()}
            )
            continue
        # The index is eventually consistent: an order shipped a moment ago may still be listed.
        if order.status not in OPEN_STATUSES or order.dispatch_by is None or order.dispatch_by > now + window:
            continue
        outcome.due += 1
        for notification in notifications_for(order, now, cache):
            if not outbox.enqueue(notification):
                outcome.already_sent += 1
            elif notification.template == Template.DISPATCH_ESCALATION:
                outcome.escalations += 1
            else:
                outcome.reminders += 1
    return outcome
