"""What the dashboard shows for one scope and day, read from the report partitions and the open
orders index only (no scans): the digest of the day with its previous day, and the orders that
are late right now with who was told."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pydantic import ValidationError

from chalicelib.dynamo import from_item
from chalicelib.notify import outbox
from chalicelib.orders import repository as orders
from chalicelib.orders.models import OPEN_STATUSES, OrderRecord
from chalicelib.registry.repository import RegistryCache
from chalicelib.reports import digest
from chalicelib.reports.digest import Digest, Scope
from chalicelib.reports.settings import report_settings
from chalicelib.reports.sweep import notifications_for


@dataclass(frozen=True)
class LateOrder:
    channel: str
    order_id: str
    shg_id: str
    shg_name: str
    makers: list[str]
    hours_late: float
    reminded: list[str]  # "member (reminder, sent)" of each dispatch SMS in the outbox


@dataclass
class DashboardView:
    day: date
    scope: Scope
    digest: Digest
    late: list[LateOrder] = field(default_factory=list)


def _told(order: OrderRecord, now: datetime, cache: RegistryCache) -> list[str]:
    """The dispatch reminders and escalations of this order that the outbox holds (BatchGet)."""
    assert order.dispatch_by is not None
    planned = [
        *notifications_for(order, order.dispatch_by - timedelta(minutes=1), cache),
        *notifications_for(order, now, cache),
    ]
    kinds = {n.notification_id: (n.member_id, n.template.value.replace("dispatch_", "")) for n in planned}
    found = outbox.get_many(sorted(kinds))
    told = []
    for item in found:
        notification_id = str(item.get("notification_id", ""))
        member, kind = kinds.get(notification_id, ("?", "?"))
        told.append(f"{member} ({kind}, {item.get('state', 'pending')})")
    return sorted(told)


def late_orders(scope: Scope, now: datetime, cache: RegistryCache) -> list[LateOrder]:
    """Open orders past their dispatch-by, with at least one line in `scope` (only those lines shown)."""
    late = []
    for item in orders.open_orders_due(now):
        try:
            order = OrderRecord.model_validate(from_item(item))
        except ValidationError:
            continue
        if order.status not in OPEN_STATUSES or order.dispatch_by is None or order.dispatch_by > now:
            continue
        lines = [line for line in order.lines if scope.covers(line.district, line.block)]
        if not lines:
            continue
        shg = cache.shg(lines[0].shg_id)
        late.append(
            LateOrder(
                channel=order.channel.value,
                order_id=order.channel_order_id,
                shg_id=lines[0].shg_id,
                shg_name=shg.name if shg else "",
                makers=sorted({m for line in lines for m in (line.maker_member_ids or line.told_member_ids)}),
                hours_late=round((now - order.dispatch_by).total_seconds() / 3600, 1),
                reminded=_told(order, now, cache),
            )
        )
    return sorted(late, key=lambda o: -o.hours_late)


def build(day: date, scope: Scope, now: datetime) -> DashboardView:
    built = digest.build(day, report_settings(), scope, previous_day=True)
    return DashboardView(day=day, scope=scope, digest=built, late=late_orders(scope, now, RegistryCache()))
