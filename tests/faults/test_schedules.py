"""The scheduled functions under faults - `dispatch_sweep`, `daily_digest`, `poll_channels` - after what
a deployment does: Lambda retries a failed asynchronous invocation twice, and the schedule fires again.
Nothing is lost, no reminder or order SMS goes twice, no counter counts twice."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import Result

from chalicelib import aws
from chalicelib.calendar import business_date
from chalicelib.config import settings
from chalicelib.orders import repository
from haat_tools.cli.ops import digest_fire_time
from haat_tools.local import flipkart_standin as standin
from haat_tools.local.fault_proxy import Fault, Kind
from tests.faults import world
from tests.faults.conftest import Scenario
from tests.orders.helpers import enqueue_as_webhook, haat_bill

# --- dispatch_sweep -------------------------------------------------------------------------------


def _open_orders(scenario: Scenario, w: world.World, fired_at: datetime) -> list[str]:
    """Two placed orders of the world due for dispatch within the reminder window."""
    ids = []
    with scenario.plan.suspended():
        for index in range(2):
            bill = haat_bill(f"{w.unique}{index}", sku=w.product.sku, event="placed")
            bill["dispatch_by"] = (fired_at + timedelta(hours=2 + index)).isoformat()
            enqueue_as_webhook("haat", bill)
            ids.append(f"dispatch_reminder:haat:{bill['outlet_id']}-{bill['bill_no']}:{w.artisan.member_id}")
        world.poll_queue(scenario.app, "on_order_events")
        world.deliver(scenario.app, time.time())  # the new-order SMS, out of the way
    return ids


SWEEP_CASES = {
    "open-orders-query-throttled-beyond-retries": [Fault("dynamodb", "Query", Kind.THROTTLE, times=6)],
    "open-orders-query-5xx-in-every-attempt": [Fault("dynamodb", "Query", Kind.ERROR, times=18)],
    "reminder-written-answer-lost": [Fault("dynamodb", "PutItem", Kind.DROP)],
    "reminder-write-throttled-beyond-retries": [Fault("dynamodb", "PutItem", Kind.THROTTLE, at=2, times=6)],
    "registry-read-slow": [Fault("dynamodb", "Query", Kind.LATENCY, at=2, seconds=0.2)],
}


@pytest.mark.parametrize("faults", SWEEP_CASES.values(), ids=SWEEP_CASES.keys())
def test_sweep_reminds_each_maker_once(scenario: Scenario, faults: list[Fault]) -> None:
    fired_at = datetime.now(UTC).replace(microsecond=0)
    with scenario.plan.suspended():
        w = world.make_world(scenario.unique)
    reminders = _open_orders(scenario, w, fired_at)
    scenario.plan.add(*faults)
    world.fire(scenario.app, "dispatch_sweep", fired_at)
    assert scenario.plan.injected, "the fault never hit"
    scenario.plan.clear()
    world.fire(scenario.app, "dispatch_sweep", fired_at + timedelta(minutes=15))  # the next tick
    world.deliver_until_settled(scenario.app, time.time(), reminders)
    assert set(world.assert_sms_once(scenario.sms, w, reminders).values()) == {"sent"}


# --- daily_digest ---------------------------------------------------------------------------------

DIGEST_FILES = ("digest.csv", "digest.json", "index.html")


def _digest_files(day: date) -> dict[str, bytes]:
    s3 = aws.client("s3")
    return {
        name: s3.get_object(Bucket=settings().MEDIA_BUCKET, Key=f"reports/{day.isoformat()}/{name}")[
            "Body"
        ].read()
        for name in DIGEST_FILES
    }


DIGEST_CASES = {
    "file-write-throttled-beyond-retries": ([Fault("s3", "PutObject", Kind.THROTTLE, times=6)], True),
    "file-write-answer-lost": ([Fault("s3", "PutObject", Kind.DROP, at=2)], True),
    "counters-read-slow": ([Fault("dynamodb", "Query", Kind.LATENCY, times=2, seconds=0.2)], True),
    "notice-publish-refused": ([Fault("sns", "Publish", Kind.CONNECT, times=6)], True),
    # Longer than Lambda's two retries: the run is missing (the HandlerErrors alarm fires) until
    # mission IT re-runs the day (runbook: Re-run a daily digest).
    "s3-down-for-every-attempt": ([Fault("s3", "PutObject", Kind.ERROR, times=10_000)], False),
}


@pytest.mark.parametrize(("faults", "retries_suffice"), DIGEST_CASES.values(), ids=DIGEST_CASES.keys())
def test_digest_files_are_written_whole(
    scenario: Scenario, operator_cli: Callable[..., Result], faults: list[Fault], retries_suffice: bool
) -> None:
    day = date(2025, 1, 1) + timedelta(days=int(scenario.unique, 16) % 300)
    with scenario.plan.suspended():
        world.fire(scenario.app, "daily_digest", digest_fire_time(day))
        expected = _digest_files(day)
        aws.client("s3").delete_objects(
            Bucket=settings().MEDIA_BUCKET,
            Delete={"Objects": [{"Key": f"reports/{day.isoformat()}/{name}"} for name in DIGEST_FILES]},
        )
    scenario.plan.add(*faults)
    outcome = world.fire(scenario.app, "daily_digest", digest_fire_time(day))
    assert scenario.plan.injected, "the fault never hit"
    scenario.plan.clear()
    assert (outcome is not None) is retries_suffice
    if not retries_suffice:
        operator_cli("ops", "rerun-digest", "--date", day.isoformat())
    assert _digest_files(day) == expected


# --- poll_channels --------------------------------------------------------------------------------


@pytest.fixture
def flipkart(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[standin.StandIn, str]]:
    account = f"fk-{scenario.unique}"
    with standin.running() as state:
        monkeypatch.setenv("FLIPKART_API_URL", state.url)
        monkeypatch.setenv("FLIPKART_ACCOUNTS", account)
        monkeypatch.setenv("FLIPKART_RETRY_BASE_SECONDS", "0.01")
        settings.cache_clear()
        with scenario.plan.suspended():
            aws.client("secretsmanager").create_secret(
                Name=settings().flipkart_secret_name(account),
                SecretString=json.dumps({"client_id": f"app-{account}", "client_secret": "s"}),
            )
            state.register(account)
        yield state, f"app-{account}"
    settings.cache_clear()


POLL_CASES = {
    "credentials-read-throttled-beyond-retries": [
        Fault("secrets-manager", "GetSecretValue", Kind.THROTTLE, times=6)
    ],
    "enqueue-throttled-beyond-retries": [Fault("sqs", "SendMessageBatch", Kind.THROTTLE, times=6)],
    "enqueue-done-then-retries-5xx": [
        Fault("sqs", "SendMessageBatch", Kind.DROP),
        Fault("sqs", "SendMessageBatch", Kind.ERROR, at=2, times=5),
    ],
    "checkpoint-read-slow": [Fault("dynamodb", "GetItem", Kind.LATENCY, seconds=0.2)],
    "checkpoint-write-throttled-beyond-retries": [Fault("dynamodb", "PutItem", Kind.THROTTLE, times=6)],
    "run-record-5xx-beyond-retries": [Fault("dynamodb", "PutItem", Kind.ERROR, at=4, times=6)],
}


@pytest.mark.parametrize("faults", POLL_CASES.values(), ids=POLL_CASES.keys())
def test_polled_orders_are_recorded_once_and_notified_once(
    scenario: Scenario, flipkart: tuple[standin.StandIn, str], faults: list[Fault]
) -> None:
    state, client_id = flipkart
    fired_at = datetime.now(UTC).replace(microsecond=0)
    with scenario.plan.suspended():
        w = world.make_world(scenario.unique)
    orders = [f"OD{w.unique}{index}" for index in range(2)]
    for index, order_id in enumerate(orders):
        state.add(
            client_id,
            standin.shipment(
                f"S{w.unique}{index}",
                order_id,
                f"FK-FLT-{w.unique}",
                updated_at=fired_at - timedelta(minutes=30),
                selling_price=f"{world.PRICE_PAISE / 100:.2f}",
            ),
            standin.address(),
        )
    scenario.plan.add(*faults)
    world.fire(scenario.app, "poll_channels", fired_at)
    assert scenario.plan.injected, "the fault never hit"
    scenario.plan.clear()
    world.fire(scenario.app, "poll_channels", fired_at + timedelta(minutes=5))  # the next tick
    world.poll_queue(scenario.app, "on_order_events")
    notices = [f"new_order:flipkart:{order_id}:{w.artisan.member_id}" for order_id in orders]
    world.deliver_until_settled(scenario.app, time.time(), notices)

    days = set()
    for order_id in orders:
        view = repository.order_view("flipkart", order_id)
        assert view is not None, f"order {order_id} lost"
        days.add(business_date(datetime.fromisoformat(view["order"]["placed_at"])).isoformat())
    [day] = days  # the IST day the orders count on
    figures = world.counters(day, w.shg.shg_id)
    assert {k: figures.get(k, 0) for k in ("orders", "units", "gmv_paise")} == {
        "orders": 2,
        "units": 2,
        "gmv_paise": 2 * world.PRICE_PAISE,
    }
    assert set(world.assert_sms_once(scenario.sms, w, notices).values()) == {"sent"}
