"""What the dashboard shows for one scope and day, read from aggregates and indexes only: the
scope's roll-up partitions (its parts, channels, outlets and crafts of a day and of the month), the
Lakhpati list the morning digest keeps, the open-orders index, and the outbox and registry by key.

Its cost grows with the scope's parts (districts, blocks or SHGs) and the orders late right now,
never with the month's orders. The figures are the digest's (`tests/browser`: the page equals
digest.json), summed per scope as the orders are tallied (`tally.view_rows`).
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError

from chalicelib import aws
from chalicelib.calendar import business_date, month_key
from chalicelib.config import settings
from chalicelib.dashboard import names
from chalicelib.dynamo import from_item
from chalicelib.notify import outbox
from chalicelib.orders import repository as orders
from chalicelib.orders.models import OPEN_STATUSES, OrderLine, OrderRecord
from chalicelib.reports import aggregates
from chalicelib.reports.digest import CHANNELS, SUMMARY_COUNTERS, MemberIncome, Scope, channel_poll_failures
from chalicelib.reports.settings import report_settings
from chalicelib.reports.sweep import sent_for
from chalicelib.reports.tally import COUNTERS

LATE_SHOWN = 50  # the longest-late orders listed in full; the rest are counted
LAKHPATI_SHOWN = aggregates.LAKHPATI_TOP  # members charted, highest income first; the rest are counted
PERIODS = ("day", "prev", "mtd")
READERS = 8  # reads of one view made at once (round trips, not work: the threads wait on DynamoDB)


@dataclass(frozen=True)
class Part:
    """One row of a scope's roll-up: a part of it ("area": district, block or SHG) or one of its
    channels, outlets or crafts, with its counters and photo rejection reasons."""

    kind: str
    key: str
    labels: dict[str, str]
    counters: Counter[str]

    @property
    def reasons(self) -> dict[str, int]:
        return {
            k.removeprefix("reason_"): v for k, v in self.counters.items() if k.startswith("reason_") and v
        }


Rollup = dict[tuple[str, str], Part]  # (kind, key) -> part


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
    today: date  # the IST day it is now (the view may be of an earlier day)
    periods: dict[str, Rollup]  # "day", "prev" (the day before) and "mtd" (the month up to the day)
    lakhpati: list[MemberIncome] = field(default_factory=list)  # the highest earners near or past the mark
    lakhpati_reached: int = 0  # members past the mark, and near it, in the scope
    lakhpati_near: int = 0
    lakhpati_as_of: date | None = None  # the day of the digest that kept them
    threshold_paise: int = 0
    near_percent: int = 0
    poll_failures: dict[str, int] = field(default_factory=dict)
    late: list[LateOrder] = field(default_factory=list)
    late_total: int = 0
    directory: names.Directory = field(default_factory=names.Directory)

    def parts(self, period: str, kind: str = "area") -> list[Part]:
        return [part for (k, _), part in sorted(self.periods[period].items()) if k == kind]

    def summary(self, period: str) -> dict[str, Any]:
        """The digest's summary of the scope for one period: totals (its parts added up), channels,
        outlets, crafts and photo rejection reasons."""

        def figures(kind: str) -> dict[str, dict[str, int]]:
            return {
                p.key: {n: p.counters.get(n, 0) for n in SUMMARY_COUNTERS} for p in self.parts(period, kind)
            }

        areas = self.parts(period)
        reasons = sum((Counter(p.reasons) for p in areas), Counter())
        by_channel = figures("channel")
        return {
            "totals": {n: sum(p.counters.get(n, 0) for p in areas) for n in SUMMARY_COUNTERS},
            "by_channel": {c: by_channel.get(c, dict.fromkeys(SUMMARY_COUNTERS, 0)) for c in CHANNELS}
            | {c: v for c, v in by_channel.items() if c not in CHANNELS},
            "by_outlet": figures("outlet"),
            "by_craft": figures("craft"),
            "reasons": dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        }


def _scope_key(scope: Scope) -> str:
    return f"{scope.district}/{scope.block}" if scope.block else scope.district


def _rollup(period: str, scope: Scope) -> Rollup:
    """A scope's roll-up partition of one day ("2026-09-16") or month ("2026-09"): one Query."""
    rollup: Rollup = {}
    for item in aggregates.partition(aggregates.view_pk(period, _scope_key(scope))):
        kind, key = str(item["sk"]).split("#", 1)
        counters = Counter({k: int(v) for k, v in item.items() if k in COUNTERS or k.startswith("reason_")})
        labels = {
            k: str(v)
            for k, v in item.items()
            if k in ("district", "block", "shg_id", "channel", "outlet", "craft")
        }
        rollup[(kind, key)] = Part(kind, key, labels, counters)
    return rollup


def _combine(rollups: list[Rollup], sign: int = 1, into: Rollup | None = None) -> Rollup:
    """`into` plus (or minus) each roll-up, part by part; parts that come to nothing are dropped."""
    total: Rollup = {k: Part(p.kind, p.key, p.labels, Counter(p.counters)) for k, p in (into or {}).items()}
    for rollup in rollups:
        for key, part in rollup.items():
            found = total.setdefault(key, Part(part.kind, part.key, part.labels, Counter()))
            for name, value in part.counters.items():
                found.counters[name] += sign * value
    return {k: p for k, p in total.items() if any(p.counters.values())}


def _month_plan(day: date, today: date) -> tuple[list[str], list[str]]:
    """The periods whose roll-ups add up to the month up to `day`, and those to take off: the month
    less the days after `day` that can have figures (none, for today), or the days up to `day` when
    that is fewer reads."""
    last = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    later = [(day + timedelta(days=n)).isoformat() for n in range(1, (min(last, today) - day).days + 1)]
    if len(later) < day.day:
        return [month_key(day)], later
    return [day.replace(day=n).isoformat() for n in range(1, day.day + 1)], []


def _late_in_scope(scope: Scope, now: datetime) -> list[tuple[OrderRecord, list[OrderLine], float]]:
    """Open orders past their dispatch-by with lines in `scope`: (order, those lines, hours late),
    longest late first."""
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
            found.append((order, lines, round((now - order.dispatch_by).total_seconds() / 3600, 1)))
    return sorted(found, key=lambda late: (-late[2], late[0].channel_order_id))


def late_orders(scope: Scope, now: datetime) -> tuple[list[LateOrder], int]:
    """The LATE_SHOWN longest-late orders in `scope` with who was told (one BatchGet for the SHGs'
    coordinators, one per 100 outbox entries), and how many are late."""
    late = _late_in_scope(scope, now)
    shown = late[:LATE_SHOWN]
    coordinators = names.directory(
        {line.shg_id for order, _, _ in shown for line in order.lines}, []
    ).coordinators
    planned = {
        nid: (order.channel_order_id, sent)
        for order, _, _ in shown
        for nid, sent in sent_for(order, coordinators).items()
    }
    told: dict[str, list[Reminder]] = {}
    for notification_id, state in outbox.states(sorted(planned)).items():
        order_id, (template, shg_id, member_id) = planned[notification_id]
        kind = template.value.removeprefix("dispatch_")
        told.setdefault(order_id, []).append(Reminder(shg_id, member_id, kind, state))
    return [
        LateOrder(
            channel=order.channel.value,
            order_id=order.channel_order_id,
            shg_id=lines[0].shg_id,
            makers=sorted(
                {(line.shg_id, m) for line in lines for m in (line.maker_member_ids or line.told_member_ids)}
            ),
            hours_late=hours,
            reminded=sorted(told.get(order.channel_order_id, []), key=lambda r: (r.kind, r.member_id)),
        )
        for order, lines, hours in shown
    ], len(late)


def build(day: date, scope: Scope, now: datetime) -> DashboardView:
    """The view, its independent reads made at once (a handful of round trips in all)."""
    today = business_date(now)
    day_key, prev_key = day.isoformat(), (day - timedelta(days=1)).isoformat()
    added, taken = _month_plan(day, today)
    config = report_settings()
    for name in _tables():
        aws.table(name)  # built here, once: the threads below share them
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        rollups = {p: pool.submit(_rollup, p, scope) for p in {day_key, prev_key, *added, *taken}}
        lakhpati = pool.submit(aggregates.lakhpati_as_of, day, _scope_key(scope))
        polls = pool.submit(channel_poll_failures, day) if scope.is_mission else None
        late = pool.submit(late_orders, scope, now)
        read = {p: future.result() for p, future in rollups.items()}
        kept, kept_lakhpati = lakhpati.result()
        late_shown, late_total = late.result()
    view = DashboardView(
        day=day,
        scope=scope,
        today=today,
        periods={
            "day": read[day_key],
            "prev": read[prev_key],
            "mtd": _combine([read[p] for p in taken], -1, into=_combine([read[p] for p in added])),
        },
        lakhpati=[MemberIncome.model_validate(m) for m in kept_lakhpati.get("top", [])],
        lakhpati_reached=int(kept_lakhpati.get("reached", 0)),
        lakhpati_near=int(kept_lakhpati.get("near", 0)),
        lakhpati_as_of=kept,
        threshold_paise=config.LAKHPATI_THRESHOLD_PAISE,
        near_percent=config.LAKHPATI_NEAR_PERCENT,
        poll_failures=polls.result() if polls else {},
        late=late_shown,
        late_total=late_total,
    )
    view.directory = _directory(view)
    return view


def _tables() -> list[str]:
    config = settings()
    return [
        config.REPORTS_TABLE,
        config.ORDERS_TABLE,
        config.OUTBOX_TABLE,
        config.REGISTRY_TABLE,
        config.OPS_TABLE,
    ]


def _directory(view: DashboardView) -> names.Directory:
    """Names of the SHGs and members the view shows: a block's SHGs, its Lakhpati list, late orders."""
    people = view.lakhpati[:LAKHPATI_SHOWN]
    shg_ids = {p.key for p in view.parts("mtd") + view.parts("day")} if view.scope.block else set()
    shg_ids |= {m.shg_id for m in people} | {o.shg_id for o in view.late}
    members = {(m.shg_id, m.member_id) for m in people}
    members |= {maker for o in view.late for maker in o.makers}
    members |= {(r.shg_id, r.member_id) for o in view.late for r in o.reminded}
    return names.directory(shg_ids, members)
