"""Benchmark: the dashboard's view of a day reads only report partitions and the open-orders
index, so its time grows with the mission's districts, blocks and SHGs, not with its orders.

Each scenario gets its own embedded moto server. A month of orders (IST days 1-30, 20 districts,
100 blocks, 400 SHGs, every channel, Haat outlets) is tallied with the real `order_tally` and the
sums are written as the counters the orders handler maintains (batch writes: the same items, far
faster to fill); 40 orders are open past their dispatch-by. Then the view (`chalicelib.dashboard
.view.build`, what GET /dashboard/view renders) is built for the whole mission and for one
district, five times each; the median is reported. Ratios are against 1,000 orders in the same run.

    python bench/dashboard.py             # 10,000 orders vs 1,000
    BENCH_DASHBOARD_ORDERS=n python bench/dashboard.py

The last line of output is one JSON object; the target is under one second for 10,000 orders.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
import urllib.request
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chalicelib import aws
from chalicelib.calendar import IST
from chalicelib.config import settings
from chalicelib.dashboard import view
from chalicelib.dynamo import to_item
from chalicelib.orders.models import EventKind, OrderEvent, OrderLine, OrderRecord, OrderStatus
from chalicelib.registry import repository as registry
from chalicelib.registry.models import SHG, Channel, Member
from chalicelib.reports.aggregates import day_pk
from chalicelib.reports.digest import Scope
from chalicelib.reports.settings import report_settings
from chalicelib.reports.tally import order_tally
from haat_tools.local import runner, stack

DAY = date(2030, 6, 30)
DISTRICTS, BLOCKS_PER_DISTRICT, SHGS_PER_BLOCK = 20, 5, 4
CRAFTS = ("pashmina_shawl", "sozani_embroidery", "namda", "willow_wicker", "papier_mache", "walnut_wood")
OUTLETS = ("HAAT-SRINAGAR", "HAAT-JAMMU", "SARAS-DELHI", "AIRPORT-SXR")
RUNS = 5


def seed_registry() -> tuple[dict[str, SHG], dict[str, Member]]:
    shgs, members = {}, {}
    for d in range(DISTRICTS):
        for b in range(BLOCKS_PER_DISTRICT):
            for s in range(SHGS_PER_BLOCK):
                shg = SHG(
                    shg_id=f"SHG-{d:02d}-{b}-{s}",
                    name=f"SHG {d}-{b}-{s}",
                    district=f"District-{d:02d}",
                    block=f"Block-{d:02d}-{b}",
                    village="Village",
                    onboarded_on="2024-01-01",
                )
                member = Member(
                    member_id=f"{shg.shg_id}-M01", shg_id=shg.shg_id, name="Maker", phone="+919000000001"
                )
                registry.put_shg(shg)
                shgs[shg.shg_id], members[member.member_id] = shg, member
    return shgs, members


def fill(total: int, shgs: dict[str, SHG], members: dict[str, Member]) -> float:
    """Tally `total` orders placed over the month (some cancelled, shipped late or returned)."""
    started = time.perf_counter()
    rng = random.Random(7)
    rules = report_settings().CHANNEL_FEE_RULES
    counters: dict[tuple[date, str, str], Counter[str]] = defaultdict(Counter)
    labels: dict[tuple[date, str, str], dict[str, str]] = {}
    shg_list = list(shgs.values())
    channels = list(Channel)
    for index in range(total):
        shg = rng.choice(shg_list)
        channel = rng.choice(channels)
        placed = datetime.combine(DAY.replace(day=rng.randint(1, 30)), clock(rng.randint(8, 20)), tzinfo=IST)
        record = OrderRecord(
            channel=channel,
            channel_order_id=f"B{index}",
            status=OrderStatus.PLACED,
            placed_at=placed,
            last_event_time=placed,
            dispatch_by=placed + timedelta(days=1),
            outlet_id=rng.choice(OUTLETS) if channel is Channel.HAAT else "",
            lines=[
                OrderLine(
                    channel_sku=f"SKU-{index}",
                    shg_id=shg.shg_id,
                    district=shg.district,
                    block=shg.block,
                    craft=rng.choice(CRAFTS),
                    maker_member_ids=[f"{shg.shg_id}-M01"],
                    quantity=rng.randint(1, 3),
                    unit_price_paise=rng.randint(5, 80) * 10_000,
                )
            ],
        )
        event = OrderEvent(
            event_id=f"e{index}", channel=channel, channel_order_id=record.channel_order_id,
            kind=EventKind.ORDER, status=OrderStatus.PLACED, event_time=placed, lines=record.lines,
        )  # fmt: skip
        changes = [order_tally(None, record, event, shgs=shgs, members=members, rules=rules)]
        if index % 10 == 0:
            after = record.model_copy(update={"status": OrderStatus.CANCELLED})
            moved = event.model_copy(update={"status": OrderStatus.CANCELLED, "event_id": f"c{index}"})
            changes.append(order_tally(record, after, moved, shgs=shgs, members=members, rules=rules))
        for tally in changes:
            for slot, values in tally.counters.items():
                counters[slot].update(values)
                labels[slot] = {k: v for k, v in vars(tally.labels[slot]).items() if v}
    with aws.table(settings().REPORTS_TABLE).batch_writer() as batch:
        for (day, dimension, key), values in counters.items():
            batch.put_item(
                Item={
                    "pk": day_pk(day),
                    "sk": f"{dimension}#{key}",
                    **dict(values),
                    **labels[(day, dimension, key)],
                }
            )
    orders_table = aws.table(settings().ORDERS_TABLE)
    now = datetime.now(UTC)
    for index in range(40):
        shg = shg_list[index * 7 % len(shg_list)]
        due = now - timedelta(hours=index + 1)
        record = OrderRecord(
            channel=Channel.FLIPKART, channel_order_id=f"LATE{index}", status=OrderStatus.PLACED,
            placed_at=due - timedelta(days=1), last_event_time=due - timedelta(days=1), dispatch_by=due,
            lines=[OrderLine(channel_sku="S", shg_id=shg.shg_id, district=shg.district, block=shg.block,
                             quantity=1, unit_price_paise=100_000)],
        )  # fmt: skip
        orders_table.put_item(
            Item=to_item(
                record,
                pk=f"ORDER#flipkart#LATE{index}",
                sk="ORDER",
                gsi1pk="OPEN",
                gsi1sk=f"{due.isoformat()}#flipkart#LATE{index}",
            )
        )
    return time.perf_counter() - started


def timed(scope: Scope) -> float:
    seconds = []
    for _ in range(RUNS):
        started = time.perf_counter()
        view.build(DAY, scope, datetime.now(UTC))
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def scenario(total: int) -> dict[str, Any]:
    with stack.running() as local_aws:
        runner.load_app()
        shgs, members = seed_registry()
        fill_seconds = fill(total, shgs, members)
        mission = timed(Scope())
        one_district = timed(Scope(district="District-03"))
        urllib.request.urlopen(
            urllib.request.Request(f"{local_aws.endpoint}/moto-api/reset", method="POST")
        ).close()
    print(f"  {total} orders: filled in {fill_seconds:.0f} s", file=sys.stderr)
    return {"orders": total, "mission_seconds": round(mission, 3), "district_seconds": round(one_district, 3)}


def main() -> None:
    large = int(os.environ.get("BENCH_DASHBOARD_ORDERS", "10000"))
    baseline, big = scenario(1_000), scenario(large)
    for name, result in (("baseline", baseline), ("month", big)):
        print(
            f"{name:9} {result['orders']:>6} orders: mission view {result['mission_seconds']} s,"
            f" district view {result['district_seconds']} s (median of {RUNS})"
        )
    summary = {
        "benchmark": "dashboard_view",
        "baseline": baseline,
        "month": big,
        f"mission_ratio_orders_x{large / 1_000:g}": round(
            big["mission_seconds"] / baseline["mission_seconds"], 2
        ),
        f"district_ratio_orders_x{large / 1_000:g}": round(
            big["district_seconds"] / baseline["district_seconds"], 2
        ),
        "under_one_second": big["mission_seconds"] < 1 and big["district_seconds"] < 1,
    }
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
