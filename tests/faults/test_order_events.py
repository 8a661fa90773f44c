"""`on_order_events` under faults in DynamoDB and SNS: after SQS redelivery (and a DLQ redrive when an
outage outlasts maxReceiveCount) every order is recorded once, stock and report counters move once,
and each maker gets her SMS once (or it is unconfirmed, when SNS gave no answer)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import pytest

from chalicelib.orders import repository
from chalicelib.registry import repository as registry
from haat_tools.local.fault_proxy import Fault, Kind
from tests.faults import world
from tests.faults.conftest import Scenario
from tests.orders.helpers import enqueue_as_webhook, haat_bill

ORDERS = "on_order_events"
DAY = "2026-11-20"
QUANTITIES = (1, 2, 3)


@dataclass(frozen=True)
class Sent:
    bills: list[str]  # channel order ids
    notification_ids: list[str]


def _send(w: world.World) -> Sent:
    """Three bills placed at a Haat outlet."""
    bills = []
    for index, quantity in enumerate(QUANTITIES):
        bill = haat_bill(f"{w.unique}{index}", sku=w.product.sku, qty=quantity, event="placed")
        bill["dispatch_by"] = None  # not an open order for other scenarios' sweeps
        bill["items"][0]["unit_price"] = f"{world.PRICE_PAISE / 100:.2f}"
        enqueue_as_webhook("haat", bill)
        bills.append(f"{bill['outlet_id']}-{bill['bill_no']}")
    ids = [f"new_order:haat:{bill}:{w.artisan.member_id}" for bill in bills]
    return Sent(bills, ids)


def _check(scenario: Scenario, w: world.World, sent: Sent) -> dict[str, str]:
    """Every order once, stock and counters moved once, each SMS once; returns the SMS states."""
    statuses = []
    for bill in sent.bills:
        view = repository.order_view("haat", bill)
        assert view is not None, f"order {bill} lost"
        statuses.append(view["order"]["status"])
    assert statuses == ["placed"] * len(QUANTITIES)
    product = registry.get_product(w.product.product_id)
    assert product is not None
    assert product.stock == w.product.stock - sum(QUANTITIES), "stock moved more or less than once"
    figures = world.counters(DAY, w.shg.shg_id)
    assert {k: figures.get(k, 0) for k in ("orders", "units", "gmv_paise")} == {
        "orders": len(QUANTITIES),
        "units": sum(QUANTITIES),
        "gmv_paise": sum(QUANTITIES) * world.PRICE_PAISE,
    }
    assert not world.dead_letters(ORDERS)
    return world.assert_sms_once(scenario.sms, w, sent.notification_ids)


def _run(scenario: Scenario, *faults: Fault) -> tuple[world.World, Sent, float]:
    """Send, process with `faults` (SQS redelivers what failed), then run the scheduled deliverer."""
    with scenario.plan.suspended():
        w = world.make_world(scenario.unique)
        sent = _send(w)
    now = time.time()
    scenario.plan.add(*faults)
    world.poll_queue(scenario.app, ORDERS)
    assert scenario.plan.injected, "the fault never hit"
    scenario.plan.clear()
    world.deliver_until_settled(scenario.app, now, sent.notification_ids)
    return w, sent, now


# The handler's calls for a new order: BatchGetItem (order, dedupe marker, SKU pointer), Query/GetItem
# (the SHG for the report counters, once per container and SHG), TransactWriteItems (order, history,
# stock, outbox, counters); then, delivering in real time: GetItem (entry, member), UpdateItem (claim),
# Publish, UpdateItem (sent).
CASES = {
    "snapshot-throttled-beyond-retries": [Fault("dynamodb", "BatchGetItem", Kind.THROTTLE, times=6)],
    "snapshot-slow": [Fault("dynamodb", "BatchGetItem", Kind.LATENCY, times=2, seconds=0.2)],
    "registry-read-throttled-beyond-retries": [Fault("dynamodb", "GetItem", Kind.THROTTLE, times=6)],
    "commit-throttled-beyond-retries": [Fault("dynamodb", "TransactWriteItems", Kind.THROTTLE, times=6)],
    "commit-answer-lost": [Fault("dynamodb", "TransactWriteItems", Kind.DROP)],
    "commit-done-then-retries-5xx": [
        Fault("dynamodb", "TransactWriteItems", Kind.DROP),
        Fault("dynamodb", "TransactWriteItems", Kind.ERROR, at=2, times=5),
    ],
    "outbox-read-throttled-beyond-retries": [Fault("dynamodb", "GetItem", Kind.THROTTLE, at=2, times=6)],
    "publish-throttled": [Fault("sns", "Publish", Kind.THROTTLE)],
}


@pytest.mark.parametrize("faults", CASES.values(), ids=CASES.keys())
def test_every_order_once_and_every_sms_once(scenario: Scenario, faults: list[Fault]) -> None:
    w, sent, _ = _run(scenario, *faults)
    assert set(_check(scenario, w, sent).values()) == {"sent"}


def test_a_publish_without_an_answer_is_unconfirmed_not_repeated(scenario: Scenario) -> None:
    w, sent, _ = _run(scenario, Fault("sns", "Publish", Kind.DROP))
    states = _check(scenario, w, sent)
    assert sorted(states.values()) == ["sent", "sent", "unconfirmed"]
    assert sum(world.sms_received(scenario.sms, w.phones).values()) == 3


def test_an_outage_past_max_receive_count_parks_in_the_dlq_and_a_redrive_restores_it(
    scenario: Scenario,
) -> None:
    with scenario.plan.suspended():
        w = world.make_world(scenario.unique)
        sent = _send(w)
    now = time.time()
    scenario.plan.add(Fault("dynamodb", "TransactWriteItems", Kind.THROTTLE, times=10_000))
    world.poll_queue(scenario.app, ORDERS)
    parked = world.dead_letters(ORDERS)
    assert len(parked) == len(QUANTITIES)
    scenario.plan.clear()  # the outage is over; mission IT follows the runbook
    assert world.redrive(scenario.app, ORDERS, scenario.plan) == len(QUANTITIES)
    world.deliver_until_settled(scenario.app, now, sent.notification_ids)
    assert set(_check(scenario, w, sent).values()) == {"sent"}
