"""What one committed order change adds to the report counters. Plain functions, no AWS.

Counters are kept per IST day and per dimension: district, block, SHG, craft, and per block the
channel, the outlet or mela (channel haat) and the craft, so a district or block view rolls those up
from its own blocks only. Member income is kept per IST day. A sale counts on the IST day the order
was placed, whatever order its events arrive in: when a late event shows an earlier placement, the
sale moves to that day. Every figure is a delta, so applying the deltas of each change once (atomic
ADDs) maintains the totals without reading any order again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from chalicelib.calendar import business_date
from chalicelib.orders.models import EventKind, OrderEvent, OrderLine, OrderRecord, OrderStatus
from chalicelib.registry.models import SHG, Member
from chalicelib.reports.fees import FeeRule, expected_fee

DIMENSIONS = ("district", "block", "shg", "craft", "channel", "outlet", "block_craft")
# Dimensions kept per block ("{district}/{block}/{value}"), rolled up by their value for any scope.
PER_BLOCK = {"channel": "channel", "outlet": "outlet", "block_craft": "craft"}

# Every counter a dimension row can carry, in the digest's column order.
COUNTERS = (
    "orders",
    "units",
    "gmv_paise",
    "cancellations",
    "cancelled_paise",
    "returns",
    "returned_paise",
    "sla_breaches",
    "delivered",
    "expected_fee_paise",
    "expected_payout_paise",
    "payouts",
    "payout_paise",
    "channel_fee_paise",
    "new_listings",
    "listings_exported",
    "listings_live",
    "listings_rejected",
    "photos_checked",
    "photos_rejected",
)
# Counted once per order and dimension key, however many lines of the order share that key.
ORDER_LEVEL = frozenset({"orders", "cancellations", "returns", "sla_breaches", "delivered", "payouts"})

SHIPPED_STATES = frozenset(
    {OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED, OrderStatus.RETURNED}
)
DELIVERED_STATES = frozenset({OrderStatus.DELIVERED, OrderStatus.RETURN_REQUESTED, OrderStatus.RETURNED})

DimensionKey = tuple[date, str, str]  # (IST day, dimension, key)


@dataclass(frozen=True)
class Labels:
    district: str = ""
    block: str = ""
    shg_id: str = ""
    craft: str = ""
    channel: str = ""
    outlet: str = ""


@dataclass
class Tally:
    """Deltas of one change: dimension counters, member income, and the payout bookkeeping."""

    counters: dict[DimensionKey, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    labels: dict[DimensionKey, Labels] = field(default_factory=dict)
    income: dict[tuple[date, str], int] = field(default_factory=lambda: defaultdict(int))
    income_labels: dict[str, Labels] = field(default_factory=dict)
    settled_income: dict[tuple[date, str], int] = field(default_factory=lambda: defaultdict(int))
    delivered_unpaid: bool = False
    paid: bool = False
    closes_unpaid: bool = False  # paid or returned: no longer awaiting a payout
    expected_fee_paise: int = 0
    mismatch: int | None = None  # received - expected payout, when a payout does not match


def dimension_keys(district: str, block: str, shg_id: str, craft: str) -> list[tuple[str, str, Labels]]:
    """(dimension, key, labels) of each dimension a sale or photo of this SHG/craft counts in."""
    return [
        ("district", district, Labels(district=district)),
        ("block", f"{district}/{block}", Labels(district=district, block=block)),
        ("shg", shg_id, Labels(district=district, block=block, shg_id=shg_id)),
        ("craft", craft, Labels(craft=craft)),
        ("block_craft", f"{district}/{block}/{craft}", Labels(district=district, block=block, craft=craft)),
    ]


def sales_keys(district: str, block: str, channel: str, outlet: str) -> list[tuple[str, str, Labels]]:
    """(dimension, key, labels) of the channel a sale came through and, for channel haat, its outlet."""
    keys = [
        ("channel", f"{district}/{block}/{channel}", Labels(district=district, block=block, channel=channel))
    ]
    if channel == "haat":
        outlet = outlet or "unknown"
        labels = Labels(district=district, block=block, channel=channel, outlet=outlet)
        keys.append(("outlet", f"{district}/{block}/{outlet}", labels))
    return keys


def view_rows(dimension: str, key: str, labels: Labels) -> list[tuple[str, str, Labels]]:
    """(scope, row, labels) each dimension row also counts in for the dashboard's roll-ups: the
    scope ("" the mission, "D" a district, "D/B" a block) has its parts (districts, blocks, SHGs) and
    its channels, outlets and crafts as rows, so one read of a scope's partition is its whole view.
    Mission-wide craft rows roll up nowhere: the per-block craft rows reach every scope."""
    district, block = labels.district, labels.block
    if dimension == "district":
        return [("", f"area#{district}", Labels(district=district))]
    if dimension == "block":
        return [(district, f"area#{block}", Labels(district=district, block=block))]
    if dimension == "shg":
        return [(f"{district}/{block}", f"area#{labels.shg_id}", labels)]
    value = {"channel": labels.channel, "outlet": labels.outlet, "block_craft": labels.craft}.get(dimension)
    if value is None:
        return []
    kind = "craft" if dimension == "block_craft" else dimension
    part = Labels(**{kind: value})
    return [(scope, f"{kind}#{value}", part) for scope in ("", district, f"{district}/{block}")]


def _line_dimensions(order: OrderRecord, line: OrderLine) -> list[tuple[str, str, Labels]]:
    district, block = line.district or "unknown", line.block or "unknown"
    return [
        *dimension_keys(district, block, line.shg_id or "unknown", line.craft or "unknown"),
        *sales_keys(district, block, order.channel.value, order.outlet_id),
    ]


def line_fees(order: OrderRecord, shgs: Mapping[str, SHG], rules: Sequence[FeeRule]) -> list[int]:
    """Expected channel fee of each line (the waiver depends on the line's SHG's onboarding date)."""
    ordered_on = business_date(order.placed_at)
    fees = []
    for line in order.lines:
        shg = shgs.get(line.shg_id)
        onboarded = date.fromisoformat(shg.onboarded_on) if shg and shg.onboarded_on else None
        fees.append(expected_fee(rules, order.channel, line.total_paise, ordered_on, onboarded))
    return fees


def spread(amount: int, weights: Mapping[str, float]) -> dict[str, int]:
    """`amount` divided in proportion to `weights` by largest remainder: the parts always add up."""
    weights = {key: w for key, w in weights.items() if w > 0}
    if not weights:
        return {}
    total = sum(weights.values())
    exact = {key: amount * w / total for key, w in weights.items()}
    parts = {key: int(value) for key, value in exact.items()}  # int() truncates toward zero
    remainder = amount - sum(parts.values())
    step = 1 if remainder > 0 else -1
    for key in sorted(exact, key=lambda k: (-abs(exact[k] - parts[k]), k))[: abs(remainder)]:
        parts[key] += step
    return parts


def split_by_share(amount: int, makers: Sequence[str], members: Mapping[str, Member]) -> dict[str, int]:
    """`amount` divided among `makers` in proportion to their registry income_share; a line that
    names no maker goes to the SHG's members by their shares."""
    candidates = list(makers) or sorted(members)
    return spread(amount, {m: members[m].income_share if m in members else 0.0 for m in candidates})


def _earning(status: OrderStatus | None) -> bool:
    return status in DELIVERED_STATES and status != OrderStatus.RETURNED


def order_tally(
    before: OrderRecord | None,
    after: OrderRecord,
    event: OrderEvent,
    *,
    shgs: Mapping[str, SHG],
    members: Mapping[str, Member],
    rules: Sequence[FeeRule],
) -> Tally:
    """The counter deltas of the change `before` -> `after` caused by `event`."""
    tally = Tally()
    old = before.status if before else None
    new = after.status
    fees = line_fees(after, shgs, rules)
    tally.expected_fee_paise = sum(fees)
    event_day = business_date(event.event_time)

    def add(day: date, line: OrderLine, values: Mapping[str, int]) -> None:
        for dimension, key, labels in _line_dimensions(after, line):
            slot = (day, dimension, key)
            tally.labels[slot] = labels
            for name, value in values.items():
                if name in ORDER_LEVEL:
                    tally.counters[slot][name] = value
                else:
                    tally.counters[slot][name] += value

    placed_on = business_date(after.placed_at)
    moved_from = business_date(before.placed_at) if before is not None else None
    for line, fee in zip(after.lines, fees, strict=True):
        sale = {"orders": 1, "units": line.quantity, "gmv_paise": line.total_paise}
        if moved_from is None:
            add(placed_on, line, sale)
        elif moved_from != placed_on:  # a late event showed an earlier placement: the sale moves
            add(moved_from, line, {name: -value for name, value in sale.items()})
            add(placed_on, line, sale)
        if new == OrderStatus.CANCELLED and old != OrderStatus.CANCELLED:
            add(event_day, line, {"cancellations": 1, "cancelled_paise": line.total_paise})
        if new in SHIPPED_STATES and old not in SHIPPED_STATES:
            shipped_at = after.shipped_at or event.event_time
            if after.dispatch_by is not None and shipped_at > after.dispatch_by:
                add(business_date(shipped_at), line, {"sla_breaches": 1})
        if new in DELIVERED_STATES and old not in DELIVERED_STATES:
            day = business_date(after.delivered_at or event.event_time)
            add(
                day,
                line,
                {"delivered": 1, "expected_fee_paise": fee, "expected_payout_paise": line.total_paise - fee},
            )
        if new == OrderStatus.RETURNED and old != OrderStatus.RETURNED:
            add(event_day, line, {"returns": 1, "returned_paise": line.total_paise})
        earning_change = int(_earning(new)) - int(_earning(old))
        if earning_change:
            day = business_date(after.delivered_at or event.event_time) if earning_change > 0 else event_day
            shg_members = {m.member_id: m for m in members.values() if m.shg_id == line.shg_id}
            net = earning_change * (line.total_paise - fee)
            for member_id, amount in split_by_share(net, line.maker_member_ids, shg_members).items():
                tally.income[(day, member_id)] += amount
                tally.income_labels[member_id] = Labels(
                    district=line.district, block=line.block, shg_id=line.shg_id
                )

    if event.kind == EventKind.PAYOUT and after.payout_paise is not None:
        _payout(tally, before, after, event_day, fees, members=members)
    tally.delivered_unpaid = (
        new in DELIVERED_STATES
        and old not in DELIVERED_STATES
        and (after.payout_paise is None and new != OrderStatus.RETURNED)
    )
    tally.closes_unpaid = tally.paid or (new == OrderStatus.RETURNED and old != OrderStatus.RETURNED)
    return tally


def _payout(
    tally: Tally,
    before: OrderRecord | None,
    after: OrderRecord,
    day: date,
    fees: list[int],
    *,
    members: Mapping[str, Member],
) -> None:
    """A settlement: count it once per order, add what changed, and reconcile against expectation."""
    paid_before = before.payout_paise if before else None
    fee_before = (before.channel_fee_paise if before else None) or 0
    payout_delta = (after.payout_paise or 0) - (paid_before or 0)
    fee_delta = (after.channel_fee_paise or 0) - fee_before
    weights = {str(index): float(line.total_paise) for index, line in enumerate(after.lines)}
    payouts, fees_received = spread(payout_delta, weights), spread(fee_delta, weights)
    for index, line in enumerate(after.lines):
        # An order-level settlement is spread over its lines by value, so each SHG gets its part.
        values = {
            "payout_paise": payouts.get(str(index), 0),
            "channel_fee_paise": fees_received.get(str(index), 0),
        }
        if paid_before is None:
            values["payouts"] = 1
        shg_members = {m.member_id: m for m in members.values() if m.shg_id == line.shg_id}
        for member_id, amount in split_by_share(
            values["payout_paise"], line.maker_member_ids, shg_members
        ).items():
            tally.settled_income[(day, member_id)] += amount
            tally.income_labels[member_id] = Labels(
                district=line.district, block=line.block, shg_id=line.shg_id
            )
        for dimension, key, labels in _line_dimensions(after, line):
            slot = (day, dimension, key)
            tally.labels[slot] = labels
            for name, value in values.items():
                if name == "payouts":
                    tally.counters[slot][name] = value
                else:
                    tally.counters[slot][name] += value
    tally.paid = True
    expected = after.total_paise - sum(fees)
    received = (after.payout_paise or 0) + sum(s.tax_paise for s in after.settlements)
    if received != expected:
        tally.mismatch = received - expected
