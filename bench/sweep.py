"""Benchmark: the dispatch sweep's DynamoDB reads grow with due orders, not with all orders.

Each scenario gets its own embedded moto server, fills the orders table with batch writes
(open orders due later, closed orders, and a given number of orders due within the window), fires
the real `dispatch_sweep` handler and counts the DynamoDB read calls and the items they returned
(botocore hooks). Ratios are against the 1k-orders/50-due baseline of the same run. Wall time is
printed for information only: moto evaluates a GSI query by walking all its items in memory,
which DynamoDB does not.

    python bench/sweep.py            # 100,000 orders with 50 due vs 1,000 with 50 due
    python bench/sweep.py --quick    # 20,000 orders (or BENCH_SWEEP_ORDERS=n)

The last line of output is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import boto3

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import to_item
from chalicelib.orders.models import OrderLine, OrderRecord, OrderStatus
from chalicelib.registry import repository as registry
from chalicelib.registry.models import SHG, Channel, Member
from haat_tools.local import runner, stack

NOW = datetime(2030, 6, 1, 6, 0, tzinfo=UTC)
READ_OPERATIONS = frozenset({"Query", "GetItem", "BatchGetItem", "Scan"})
SHGS = 5


class DynamoCalls:
    """Counts DynamoDB API calls and the items read calls return, via botocore's event hooks."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.items_read = 0
        session = boto3.DEFAULT_SESSION or boto3.setup_default_session() or boto3.DEFAULT_SESSION
        assert session is not None
        session.events.register("after-call.dynamodb", self._after_call)
        aws.reset()  # clients built from now on carry the hook

    def _after_call(self, http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls[model.name] += 1
        if model.name in READ_OPERATIONS:
            self.items_read += int(parsed.get("Count", 1 if parsed.get("Item") else 0))

    def reset(self) -> None:
        self.calls.clear()
        self.items_read = 0

    @property
    def reads(self) -> int:
        return sum(n for op, n in self.calls.items() if op in READ_OPERATIONS)


def seed_registry() -> list[SHG]:
    shgs = []
    for index in range(SHGS):
        shg = SHG(
            shg_id=f"BENCH-{index}",
            name="Bench SHG",
            district=f"District {index}",
            block="Block",
            village="Village",
            onboarded_on="2029-01-01",
            coordinator_member_id=f"BENCH-{index}-M09",
        )
        registry.put_shg(shg)
        for suffix in ("M01", "M09"):
            registry.put_member(
                Member(
                    member_id=f"BENCH-{index}-{suffix}",
                    shg_id=shg.shg_id,
                    name="Bench",
                    phone="+919000000001",
                )
            )
        shgs.append(shg)
    return shgs


def order_item(index: int, shg: SHG, dispatch_by: datetime, status: OrderStatus) -> dict[str, Any]:
    record = OrderRecord(
        channel=Channel.FLIPKART,
        channel_order_id=f"OD{index:09d}",
        status=status,
        placed_at=dispatch_by - timedelta(days=2),
        last_event_time=dispatch_by - timedelta(days=2),
        dispatch_by=dispatch_by,
        lines=[
            OrderLine(
                channel_sku="SKU-1",
                sku="SKU-1",
                product_id="P-1",
                shg_id=shg.shg_id,
                district=shg.district,
                block=shg.block,
                craft="pashmina_shawl",
                maker_member_ids=[f"{shg.shg_id}-M01"],
                quantity=1,
                unit_price_paise=250_000,
            )
        ],
    )
    keys: dict[str, Any] = {"pk": f"ORDER#flipkart#{record.channel_order_id}", "sk": "ORDER"}
    if status == OrderStatus.PLACED:
        keys.update(gsi1pk="OPEN", gsi1sk=f"{dispatch_by.isoformat()}#flipkart#{record.channel_order_id}")
    return to_item(record, **keys)


def fill(total: int, due: int, shgs: list[SHG]) -> float:
    """`due` orders due within the window; the rest half open-but-later, half already shipped."""
    started = time.perf_counter()
    with aws.table(settings().ORDERS_TABLE).batch_writer() as batch:
        for index in range(total):
            shg = shgs[index % len(shgs)]
            if index < due:
                item = order_item(index, shg, NOW + timedelta(minutes=5 + index % 300), OrderStatus.PLACED)
            elif index % 2:
                item = order_item(
                    index, shg, NOW + timedelta(hours=7, minutes=index % 40_000), OrderStatus.PLACED
                )
            else:
                item = order_item(index, shg, NOW - timedelta(days=1), OrderStatus.SHIPPED)
            batch.put_item(Item=item)
    return time.perf_counter() - started


def _reset(endpoint: str) -> None:
    """Empty moto before it stops: a server holding 100k items takes longer to exit than the
    local stack waits for."""
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()


def scenario(total: int, due: int) -> dict[str, Any]:
    with stack.running() as local_aws:
        calls = DynamoCalls()
        app = runner.load_app()
        shgs = seed_registry()
        fill_seconds = fill(total, due, shgs)
        calls.reset()
        started = time.perf_counter()
        outcome = runner.fire(app, "dispatch_sweep", NOW)
        seconds = time.perf_counter() - started
        assert outcome["due"] == due, outcome
        _reset(local_aws.endpoint)
        print(f"  {total} orders, {due} due: filled in {fill_seconds:.0f} s", file=sys.stderr)
        return {
            "orders": total,
            "due": due,
            "reminders": outcome["reminders"],
            "dynamodb_reads": calls.reads,
            "items_read": calls.items_read,
            "queries": calls.calls["Query"],
            "calls": dict(sorted(calls.calls.items())),
            "sweep_seconds": round(seconds, 2),
            "fill_seconds": round(fill_seconds, 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 orders instead of 100,000")
    args = parser.parse_args()
    large = int(os.environ.get("BENCH_SWEEP_ORDERS", "20000" if args.quick else "100000"))
    baseline = scenario(1_000, 50)
    big = scenario(large, 50)
    more_due = scenario(1_000, 500)
    for name, result in (("baseline", baseline), ("many orders", big), ("many due", more_due)):
        print(
            f"{name:12} {result['orders']:>7} orders {result['due']:>4} due:"
            f" {result['dynamodb_reads']:>4} reads,"
            f" {result['items_read']:>5} items read, {result['queries']} queries,"
            f" sweep {result['sweep_seconds']} s (fill {result['fill_seconds']} s)"
        )
    summary = {
        "benchmark": "dispatch_sweep",
        "baseline": baseline,
        "many_orders": big,
        "many_due": more_due,
        f"reads_ratio_orders_x{large / 1_000:g}": round(
            big["dynamodb_reads"] / baseline["dynamodb_reads"], 2
        ),
        f"items_read_ratio_orders_x{large / 1_000:g}": round(big["items_read"] / baseline["items_read"], 2),
        "reads_ratio_due_x10": round(more_due["dynamodb_reads"] / baseline["dynamodb_reads"], 2),
        "items_read_ratio_due_x10": round(more_due["items_read"] / baseline["items_read"], 2),
    }
    print(json.dumps(summary, sort_keys=True))


if __name__ == "__main__":
    main()
