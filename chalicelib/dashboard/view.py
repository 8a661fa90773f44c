"""What the dashboard shows for one scope and day, read from the report partitions, the open
orders index and BatchGets only (no scans): the digest of the day with its previous day, the orders
that are late right now with who was told, and the names of the SHGs and makers it shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pydantic import ValidationError

from chalicelib.calendar import business_date
from chalicelib.dashboard import names
from chalicelib.dynamo import from_item
from chalicelib.notify import outbox
from chalicelib.orders import repository as orders
from chalicelib.orders.models import OPEN_STATUSES, OrderRecord
from chalicelib.registry.repository import RegistryCache
from chalicelib.reports import digest
from chalicelib.reports.digest import Digest, Scope
from chalicelib.reports.settings import report_settings
from chalicelib.reports.sweep import notifications_for

LATE_SHOWN = 50  # the longest-late orders listed in full; the rest are counted
LAKHPATI_SHOWN = 12  # members charted, highest income first; the rest are counted


@dataclass(frozen=True)
class Reminder:
    """One dispatch SMS of a late order that the outbox holds: to whom, which, and how it went."""

    shg_id: str
    member_id: str
    kind: str  # "reminder" or "escalation"
    state: str  # the outbox state: pending, sending, sent, failed, unconfirmed, opted_out...


@dataclass(frozen=True)
class LateOrder:
    channel: str
    order_id: str
    shg_id: str
    makers: list[tuple[str, str]]  # (shg_id, member_id)
    hours_late: float
    reminded: list[Reminder]


@dataclass
class DashboardView:
    day: date
    scope: Scope
    digest: Digest
    today: date  # the IST day it is now (the view may be of an earlier day)
    late: list[LateOrder] = field(default_factory=list)
    late_total: int = 0
    directory: names.Directory = field(default_factory=names.Directory)


def _late_in_scope(scope: Scope, now: datetime) -> list[tuple[OrderRecord, float]]:
    """Open orders past their dispatch-by with a line in `scope` (only those lines kept), longest
    late first."""
    found = []
    for item in orders.open_orders_due(now):
        try:
            order = OrderRecord.model_validate(from_item(item))
        except ValidationError:
            continue
        if order.status not in OPEN_STATUSES or order.dispatch_by is None or order.dispatch_by > now:
            continue
        lines = [line for line in order.lines if scope.covers(line.district, line.block)]
        if lines:
            hours = round((now - order.dispatch_by).total_seconds() / 3600, 1)
            found.append((order.model_copy(update={"lines": lines}), hours))
    return sorted(found, key=lambda pair: (-pair[1], pair[0].channel_order_id))


def _reminders(late: list[OrderRecord], now: datetime, cache: RegistryCache) -> dict[str, list[Reminder]]:
    """Per order id, the reminders and escalations of it that the outbox holds (one BatchGet per 100)."""
    planned: dict[str, tuple[str, Reminder]] = {}
    for order in late:
        assert order.dispatch_by is not None
        for when in (order.dispatch_by - timedelta(minutes=1), now):
            for n in notifications_for(order, when, cache):
                kind = n.template.value.removeprefix("dispatch_")
                planned[n.notification_id] = (
                    order.channel_order_id,
                    Reminder(n.shg_id, n.member_id, kind, ""),
                )
    told: dict[str, list[Reminder]] = {}
    for entry in outbox.get_many(sorted(planned)):
        order_id, reminder = planned[str(entry["notification_id"])]
        state = str(entry.get("state", "pending"))
        told.setdefault(order_id, []).append(
            Reminder(reminder.shg_id, reminder.member_id, reminder.kind, state)
        )
    return told


def late_orders(scope: Scope, now: datetime, cache: RegistryCache) -> tuple[list[LateOrder], int]:
    """The LATE_SHOWN longest-late orders in `scope` with who was told, and how many are late."""
    late = _late_in_scope(scope, now)
    shown = late[:LATE_SHOWN]
    told = _reminders([order for order, _ in shown], now, cache)
    return [
        LateOrder(
            channel=order.channel.value,
            order_id=order.channel_order_id,
            shg_id=order.lines[0].shg_id,
            makers=sorted(
                {
                    (line.shg_id, m)
                    for line in order.lines
                    for m in (line.maker_member_ids or line.told_member_ids)
                }
            ),
            hours_late=hours,
            reminded=sorted(told.get(order.channel_order_id, []), key=lambda r: (r.kind, r.member_id)),
        )
        for order, hours in shown
    ], len(late)


def _directory(built: Digest, late: list[LateOrder]) -> names.Directory:
    """Names of the SHGs and members the view shows: a block's SHG rows, Lakhpati list, late orders."""
    people = [*built.lakhpati, *built.approaching][:LAKHPATI_SHOWN]
    shg_ids = {r.key for r in built.rows if r.dimension == "shg"} if built.scope.block else set()
    shg_ids |= {m.shg_id for m in people}
    shg_ids |= {o.shg_id for o in late}
    members = {(m.shg_id, m.member_id) for m in people}
    members |= {maker for o in late for maker in o.makers}
    members |= {(r.shg_id, r.member_id) for o in late for r in o.reminded}
    return names.directory(shg_ids, members)


def build(day: date, scope: Scope, now: datetime) -> DashboardView:
    built = digest.build(day, report_settings(), scope, previous_day=True)
    late, total = late_orders(scope, now, RegistryCache())
    return DashboardView(
        day=day,
        scope=scope,
        digest=built,
        today=business_date(now),
        late=late,
        late_total=total,
        directory=_directory(built, late),
    )
