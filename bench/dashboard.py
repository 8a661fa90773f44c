"""Benchmark: GET /dashboard/view within one second for a month of 10,000 orders, for a district
coordinator and for a mission admin; its time grows with the scope's parts, not with the orders.

Each scenario gets its own embedded moto server, with the API served as `haat local up` serves it.
The registry (20 districts, 100 blocks, 400 SHGs of two makers and a coordinator) goes in through
the registry repository. A month of orders (last calendar month; every channel, Haat outlets and
melas; 10% cancelled, 70% delivered and paid, 1 in 20 returned, the rest on its way; 1 in 8 shipped past
its dispatch-by) is tallied change by
change with the real `order_tally`, summed into exactly the items the orders handler adds to
(`aggregates.tally_sums`: day rows, the dashboard's roll-ups, member income), and the orders are
stored as the orders repository keeps them; 40 more are open past their dispatch-by and the real
dispatch sweep escalates them. The Lakhpati list is kept as `daily_digest` keeps it. Then the view
of the month's last day is fetched over HTTP 20 times (after 2 warm-ups) with a district
coordinator's and a mission admin's token; p50 and p95 are reported, and ratios against 1,000
orders measured in the same run.

    python bench/dashboard.py             # 10,000 orders vs 1,000
    BENCH_DASHBOARD_ORDERS=n python bench/dashboard.py

The last line of output is one JSON object; the target is a p95 under one second for both.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
import urllib.request
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chalicelib import aws
from chalicelib.auth import Role, issue_local_token
from chalicelib.calendar import IST, business_date
from chalicelib.config import settings
from chalicelib.orders import repository as orders
from chalicelib.orders.models import EventKind, OrderEvent, OrderLine, OrderRecord, OrderStatus
from chalicelib.registry import repository as registry
from chalicelib.registry.models import SHG, Channel, Member, MemberRole
from chalicelib.reports import aggregates
from chalicelib.reports.settings import report_settings
from chalicelib.reports.sweep import sweep
from chalicelib.reports.tally import order_tally
from haat_tools.local import runner, stack

DISTRICTS, BLOCKS_PER_DISTRICT, SHGS_PER_BLOCK = 20, 5, 4
CRAFTS = (
    "pashmina_shawl",
    "sozani_embroidery",
    "namda",
    "willow_wicker",
    "papier_mache",
    "walnut_wood_carving",
)
OUTLETS = ("HAAT-SRINAGAR", "HAAT-JAMMU", "SARAS-DELHI", "AIRPORT-SXR")
LATE_ORDERS = 40
RUNS, WARM_UPS = 20, 2
DISTRICT = "District-03"


def month_before(today: date) -> tuple[date, date]:
    """The first and last day of the calendar month before `today`'s."""
    last = today.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def seed_registry() -> tuple[dict[str, SHG], dict[str, Member]]:
    shgs: dict[str, SHG] = {}
    members: dict[str, Member] = {}
    for d in range(DISTRICTS):
        for b in range(BLOCKS_PER_DISTRICT):
            for s in range(SHGS_PER_BLOCK):
                shg_id = f"SHG-{d:02d}-{b}-{s}"
                shgs[shg_id] = SHG(
                    shg_id=shg_id,
                    name=f"Self-Help Group {d}-{b}-{s}",
                    district=f"District-{d:02d}",
                    block=f"Block-{d:02d}-{b}",
                    village="Village",
                    onboarded_on="2024-01-01",
                    coordinator_member_id=f"{shg_id}-M09",
                )
                for number, role in (
                    ("01", MemberRole.ARTISAN),
                    ("02", MemberRole.ARTISAN),
                    ("09", MemberRole.COORDINATOR),
                ):
                    member = Member(
                        member_id=f"{shg_id}-M{number}",
                        shg_id=shg_id,
                        name=f"Maker {number} of {shg_id}",
                        phone=f"+9190000{d:02d}{b}{s}{number}",
                        role=role,
                        income_share=0.0 if role is MemberRole.COORDINATOR else 0.5,
                    )
                    members[member.member_id] = member
    registry.put_items(
        [
            *(registry.shg_item(shg) for shg in shgs.values()),
            *(registry.member_item(m) for m in members.values()),
        ]
    )
    return shgs, members


def _order(index: int, shg: SHG, channel: Channel, placed: datetime, rng: random.Random) -> OrderRecord:
    return OrderRecord(
        channel=channel,
        channel_order_id=f"B{index}",
        status=OrderStatus.PLACED,
        placed_at=placed,
        last_event_time=placed,
        dispatch_by=placed + timedelta(days=2),
        outlet_id=rng.choice(OUTLETS) if channel is Channel.HAAT else "",
        lines=[
            OrderLine(
                channel_sku=f"SKU-{index}",
                shg_id=shg.shg_id,
                district=shg.district,
                block=shg.block,
                craft=rng.choice(CRAFTS),
                maker_member_ids=[f"{shg.shg_id}-M0{rng.randint(1, 2)}"],
                quantity=rng.randint(1, 3),
                unit_price_paise=rng.randint(5, 80) * 10_000,
            )
        ],
    )


def _life(record: OrderRecord, index: int, rng: random.Random) -> list[tuple[OrderStatus, datetime]]:
    """The states the order moves through after it is placed, and when."""
    placed = record.placed_at
    if index % 10 == 0:
        return [(OrderStatus.CANCELLED, placed + timedelta(hours=3))]
    shipped = placed + timedelta(days=3 if index % 8 == 0 else 1)  # 1 in 8 past its dispatch-by
    if index % 10 < 8:
        steps = [(OrderStatus.SHIPPED, shipped), (OrderStatus.DELIVERED, shipped + timedelta(days=2))]
        if index % 20 == 1:
            steps += [
                (OrderStatus.RETURN_REQUESTED, shipped + timedelta(days=4)),
                (OrderStatus.RETURNED, shipped + timedelta(days=7)),
            ]
        return steps
    return [(OrderStatus.SHIPPED, shipped)]  # still on its way


def fill(total: int, shgs: dict[str, SHG], members: dict[str, Member], first: date, last: date) -> float:
    """`total` orders placed over the month, each change tallied and summed; then written."""
    started = time.perf_counter()
    rng = random.Random(7)
    rules = report_settings().CHANNEL_FEE_RULES
    sums: aggregates.Sums = {}
    records = []
    shg_list, channels = list(shgs.values()), list(Channel)
    days = (last - first).days + 1
    for index in range(total):
        day = first + timedelta(days=rng.randrange(days))
        placed = datetime.combine(day, clock(rng.randint(8, 20)), tzinfo=IST)
        record = _order(index, rng.choice(shg_list), rng.choice(channels), placed, rng)
        event = OrderEvent(
            event_id=f"e{index}", channel=record.channel, channel_order_id=record.channel_order_id,
            kind=EventKind.ORDER, status=OrderStatus.PLACED, event_time=placed, lines=record.lines,
        )  # fmt: skip
        aggregates.tally_sums(order_tally(None, record, event, shgs=shgs, members=members, rules=rules), sums)
        for step, (status, at) in enumerate(_life(record, index, rng)):
            moved = {"status": status, "last_event_time": at}
            moved |= {"shipped_at": at} if status is OrderStatus.SHIPPED else {}
            moved |= {"delivered_at": at} if status is OrderStatus.DELIVERED else {}
            before, record = record, record.model_copy(update=moved)
            event = event.model_copy(
                update={"event_id": f"e{index}-{step}", "status": status, "event_time": at}
            )
            aggregates.tally_sums(
                order_tally(before, record, event, shgs=shgs, members=members, rules=rules), sums
            )
        if record.status is OrderStatus.DELIVERED and record.delivered_at:  # the channel settles it
            at = record.delivered_at + timedelta(days=3)
            fee = record.total_paise // 10
            paid = record.total_paise - fee
            settled = {"payout_paise": paid, "channel_fee_paise": fee, "last_event_time": at}
            before, record = record, record.model_copy(update=settled)
            payout = OrderEvent(
                event_id=f"e{index}-paid", channel=record.channel, channel_order_id=record.channel_order_id,
                kind=EventKind.PAYOUT, event_time=at, payout_paise=paid, channel_fee_paise=fee,
            )  # fmt: skip
            aggregates.tally_sums(
                order_tally(before, record, payout, shgs=shgs, members=members, rules=rules), sums
            )
        records.append(record)
    with aws.table(settings().REPORTS_TABLE).batch_writer() as batch:
        for (pk, sk), (counters, labels) in sums.items():
            values = {name: value for name, value in counters.items() if value}
            batch.put_item(
                Item={"pk": pk, "sk": sk, **values, **{k: v for k, v in vars(labels).items() if v}}
            )
    with aws.table(settings().ORDERS_TABLE).batch_writer() as batch:
        for record in records:
            batch.put_item(Item=orders.order_item(record))
    _keep_lakhpati(sums, shgs, members, last)
    return time.perf_counter() - started


def _keep_lakhpati(
    sums: aggregates.Sums, shgs: dict[str, SHG], members: dict[str, Member], last: date
) -> None:
    """Each member's income (received from the channels, and expected from delivered orders), kept
    as the morning digest keeps its Lakhpati list."""
    config = report_settings()
    received: Counter[str] = Counter()
    expected: Counter[str] = Counter()
    for (pk, sk), (counters, _) in sums.items():
        if pk.startswith("INCOME#") and len(pk) == len("INCOME#YYYY-MM"):
            received[sk.removeprefix("MEMBER#")] += counters["settled_income_paise"]
            expected[sk.removeprefix("MEMBER#")] += counters["income_paise"]
    near = config.LAKHPATI_THRESHOLD_PAISE * config.LAKHPATI_NEAR_PERCENT // 100
    people = []
    for member_id, amount in received.items():
        if amount >= near:
            shg = shgs[members[member_id].shg_id]
            people.append({
                "member_id": member_id, "shg_id": shg.shg_id, "district": shg.district, "block": shg.block,
                "income_paise": amount, "expected_income_paise": expected[member_id],
                "progress_percent": round(100 * amount / config.LAKHPATI_THRESHOLD_PAISE, 1),
            })  # fmt: skip
    aggregates.keep_lakhpati(last, people, config.LAKHPATI_THRESHOLD_PAISE, datetime.now(UTC))


def late_orders(shgs: dict[str, SHG]) -> None:
    """LATE_ORDERS open orders past their dispatch-by, escalated by the real dispatch sweep."""
    now = datetime.now(UTC)
    shg_list = list(shgs.values())
    with aws.table(settings().ORDERS_TABLE).batch_writer() as batch:
        for index in range(LATE_ORDERS):
            shg = shg_list[index * 7 % len(shg_list)]
            due = now - timedelta(hours=index + 1)
            line = OrderLine(
                channel_sku="S", shg_id=shg.shg_id, district=shg.district, block=shg.block,
                maker_member_ids=[f"{shg.shg_id}-M01"], quantity=1, unit_price_paise=100_000,
            )  # fmt: skip
            record = OrderRecord(
                channel=Channel.FLIPKART, channel_order_id=f"LATE{index}", status=OrderStatus.PLACED,
                placed_at=due - timedelta(days=1), last_event_time=due - timedelta(days=1), dispatch_by=due,
                lines=[line],
            )  # fmt: skip
            batch.put_item(Item=orders.order_item(record))
    sweep(now, timedelta(hours=report_settings().DISPATCH_REMINDER_WINDOW_HOURS))


def timed(url: str, token: str) -> dict[str, float]:
    seconds = []
    for run in range(WARM_UPS + RUNS):
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            assert response.status == 200, response.status
            response.read()
        if run >= WARM_UPS:
            seconds.append(time.perf_counter() - started)
    return {
        "p50": round(statistics.median(seconds), 3),
        "p95": round(statistics.quantiles(seconds, n=20)[-1], 3),
    }


def scenario(total: int) -> dict[str, Any]:
    first, last = month_before(business_date(datetime.now(UTC)))
    with stack.running() as local_aws:
        app = runner.load_app()
        shgs, members = seed_registry()
        fill_seconds = fill(total, shgs, members, first, last)
        late_orders(shgs)
        with runner.serve_api(app) as api_url:
            coordinator = issue_local_token("dpm", Role.DISTRICT_COORDINATOR, district=DISTRICT, ttl_s=3600)
            admin = issue_local_token("ceo", Role.MISSION_ADMIN, ttl_s=3600)
            district = timed(f"{api_url}/dashboard/view?date={last}", coordinator)
            mission = timed(f"{api_url}/dashboard/view?date={last}", admin)
        urllib.request.urlopen(
            urllib.request.Request(f"{local_aws.endpoint}/moto-api/reset", method="POST")
        ).close()
    print(f"  {total} orders: filled in {fill_seconds:.0f} s", file=sys.stderr)
    return {"orders": total, "fill_seconds": round(fill_seconds, 1), "district": district, "mission": mission}


def main() -> None:
    large = int(os.environ.get("BENCH_DASHBOARD_ORDERS", "10000"))
    baseline, month = scenario(1_000), scenario(large)
    for name, result in (("baseline", baseline), ("month", month)):
        print(
            f"{name:9} {result['orders']:>6} orders: district coordinator p50 {result['district']['p50']} s"
            f" p95 {result['district']['p95']} s; mission admin p50 {result['mission']['p50']} s"
            f" p95 {result['mission']['p95']} s ({RUNS} runs)"
        )
    scale = f"x{large / 1_000:g}"
    summary = {
        "benchmark": "dashboard_view",
        "baseline": baseline,
        "month": month,
        f"district_p95_ratio_orders_{scale}": round(
            month["district"]["p95"] / baseline["district"]["p95"], 2
        ),
        f"mission_p95_ratio_orders_{scale}": round(month["mission"]["p95"] / baseline["mission"]["p95"], 2),
        "under_one_second": month["district"]["p95"] < 1 and month["mission"]["p95"] < 1,
    }
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
