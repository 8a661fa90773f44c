"""The Flipkart poller against a local stand-in of the Seller API v3 (a real HTTP server)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice import Chalice

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.connectors.adapters import flipkart as adapter
from chalicelib.connectors.flipkart.models import SearchType
from chalicelib.connectors.poller import Cursor, load_cursor, poll_flipkart, save_cursor
from chalicelib.ops import runs_between
from chalicelib.orders.models import OrderStatus
from haat_tools.local import flipkart_standin as standin
from haat_tools.local import runner
from tests.connector_queue import QueuedMessage, order_queue, take_all

__all__ = ["order_queue"]

T0 = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
TOKEN = "/oauth-service/oauth/token"
SEARCH = "/sellers/v3/shipments/filter"


class Seller:
    """One seller account: its Secrets Manager entry and its client id at the stand-in."""

    def __init__(self, state: standin.StandIn, account: str) -> None:
        credentials = {"client_id": f"app-{account}", "client_secret": f"secret-{account}"}
        aws.client("secretsmanager").create_secret(
            Name=settings().flipkart_secret_name(account), SecretString=json.dumps(credentials)
        )
        self.account = account
        self.client_id = state.register(account)
        self.state = state

    def add(self, shipment_id: str, status: str = "APPROVED", at: datetime = T0, **kwargs: Any) -> None:
        order_id = kwargs.pop("order_id", f"OD{shipment_id}")
        self.state.add(
            self.client_id,
            standin.shipment(
                shipment_id, order_id, "FK-SGR-SOZ-STOLE-01", status=status, updated_at=at, **kwargs
            ),
            standin.address(),
        )


@pytest.fixture
def flipkart(
    order_queue: str, monkeypatch: pytest.MonkeyPatch, unique: str
) -> Iterator[tuple[standin.StandIn, Seller]]:
    with standin.running() as state:
        monkeypatch.setenv("FLIPKART_API_URL", state.url)
        monkeypatch.setenv("FLIPKART_ACCOUNTS", f"samarth-{unique}")
        monkeypatch.setenv("FLIPKART_RETRY_BASE_SECONDS", "0.01")
        monkeypatch.setenv("FLIPKART_PAGE_SIZE", "20")
        settings.cache_clear()
        yield state, Seller(state, f"samarth-{unique}")
    settings.cache_clear()


def shipment_ids(messages: list[QueuedMessage]) -> list[str]:
    assert {m.channel for m in messages} <= {"flipkart"}
    return sorted(m.body["shipmentId"] for m in messages)


def event_ids(messages: list[QueuedMessage]) -> set[str]:
    return {event.event_id for m in messages for event in adapter.to_order_events(m.body)}


def test_first_run_enqueues_every_changed_item_and_checkpoints(
    flipkart: tuple[standin.StandIn, Seller], order_queue: str
) -> None:
    state, seller = flipkart
    seller.add("S1", "APPROVED", T0 - timedelta(hours=1))
    seller.add("S2", "SHIPPED", T0 - timedelta(hours=2))
    seller.add("S3", "CANCELLED", T0 - timedelta(hours=3))
    seller.add("OLD", "APPROVED", T0 - timedelta(days=30))

    report = poll_flipkart(T0)

    assert report.failed == []
    messages = take_all(order_queue)
    assert shipment_ids(messages) == ["S1", "S2", "S3"]
    statuses = {e.status for m in messages for e in adapter.to_order_events(m.body)}
    assert statuses == {OrderStatus.ACCEPTED, OrderStatus.SHIPPED, OrderStatus.CANCELLED}
    for message in messages:  # only what dispatch needs leaves Flipkart's answer
        assert message.body["deliveryAddress"] == {
            "city": "Bengaluru",
            "state": "Karnataka",
            "pinCode": "560034",
        }
        assert "9000000000" not in json.dumps(message.body)
    for search_type in SearchType:
        cursor = load_cursor(seller.account, search_type)
        assert cursor is not None
        assert cursor.since == T0
        assert cursor.next_page_url is None
    assert len(state.requests_to(TOKEN)) == 1  # cached across the three searches and the details


def test_incremental_run_sends_only_what_changed_since_the_checkpoint(
    flipkart: tuple[standin.StandIn, Seller], order_queue: str
) -> None:
    _state, seller = flipkart
    seller.add("S1", "APPROVED", T0 - timedelta(hours=1))
    poll_flipkart(T0)
    take_all(order_queue)
    seller.add("S1", "READY_TO_DISPATCH", T0 + timedelta(minutes=3))  # the same item, packed
    seller.add("S4", "APPROVED", T0 + timedelta(minutes=4))

    poll_flipkart(T0 + timedelta(minutes=5))

    messages = take_all(order_queue)
    assert shipment_ids(messages) == ["S1", "S4"]
    packed = [e for m in messages for e in adapter.to_order_events(m.body) if e.channel_order_id == "ODS1"]
    assert [e.status for e in packed] == [OrderStatus.PACKED]


def test_pagination_reads_every_page(flipkart: tuple[standin.StandIn, Seller], order_queue: str) -> None:
    state, seller = flipkart
    for n in range(45):
        seller.add(f"P{n:02d}", "APPROVED", T0 - timedelta(minutes=n + 1))

    report = poll_flipkart(T0)

    assert report.accounts[0].searches["preDispatch"].pages == 3
    assert shipment_ids(take_all(order_queue)) == sorted(f"P{n:02d}" for n in range(45))
    assert len([r for r in state.requests_to(SEARCH) if r.method == "GET"]) == 2  # nextPageUrl twice


def test_expired_token_is_fetched_again(flipkart: tuple[standin.StandIn, Seller], order_queue: str) -> None:
    state, seller = flipkart
    seller.add("S1", "APPROVED", T0 - timedelta(hours=1))
    poll_flipkart(T0)
    state.revoke_tokens()  # Flipkart no longer accepts the cached token: 401, then a new token
    seller.add("S2", "APPROVED", T0 + timedelta(minutes=1))

    report = poll_flipkart(T0 + timedelta(minutes=5))

    assert report.failed == []
    assert shipment_ids(take_all(order_queue)) == ["S1", "S2"]
    assert len(state.requests_to(TOKEN)) == 2


def test_token_is_renewed_when_its_lifetime_ends(
    flipkart: tuple[standin.StandIn, Seller], order_queue: str
) -> None:
    state, _seller = flipkart
    state.token_ttl_seconds = 1
    poll_flipkart(T0)
    time.sleep(1.1)
    poll_flipkart(T0 + timedelta(minutes=5))
    assert len(state.requests_to(TOKEN)) == 2
    assert all(r.authorization.startswith("Bearer ") for r in state.requests_to(SEARCH))
    take_all(order_queue)


def test_throttling_and_server_errors_are_retried(
    flipkart: tuple[standin.StandIn, Seller], order_queue: str
) -> None:
    state, seller = flipkart
    seller.add("S1", "APPROVED", T0 - timedelta(hours=1))
    state.faults += [
        standin.Fault(TOKEN, 503),
        standin.Fault(SEARCH, 429, retry_after="0"),
        standin.Fault(SEARCH, 500),
        standin.Fault("/sellers/v3/shipments/S1", 502),
    ]

    report = poll_flipkart(T0)

    assert report.failed == []
    assert report.accounts[0].retries == 4
    assert state.faults == []
    assert shipment_ids(take_all(order_queue)) == ["S1"]


def test_a_failing_account_does_not_stop_the_others(
    app: Chalice, flipkart: tuple[standin.StandIn, Seller], order_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _state, seller = flipkart
    seller.add("S1", "APPROVED", T0 - timedelta(hours=1))
    monkeypatch.setenv("FLIPKART_ACCOUNTS", f"no-such-account,{seller.account}")
    settings.cache_clear()

    outcome = runner.fire(app, "poll_channels", T0)

    assert outcome["failed_accounts"] == ["no-such-account"]
    assert shipment_ids(take_all(order_queue)) == ["S1"]
    # This run's record (tests sharing the local stack fire poll_channels at other times).
    [run] = runs_between("poll_channels", T0, T0 + timedelta(seconds=1))
    assert run["outcome"]["failed_accounts"] == ["no-such-account"]


def test_a_crash_between_enqueue_and_checkpoint_resends_with_the_same_event_ids(
    flipkart: tuple[standin.StandIn, Seller], order_queue: str
) -> None:
    _state, seller = flipkart
    for n in range(25):
        seller.add(f"C{n:02d}", "APPROVED", T0 - timedelta(minutes=n + 1))
    poll_flipkart(T0)
    first = take_all(order_queue)
    # The crash: the events reached the queue but the checkpoints were never written.
    for search_type in SearchType:
        aws.table(settings().OPS_TABLE).delete_item(
            Key={"pk": f"CHECKPOINT#flipkart#{seller.account}", "sk": search_type.value}
        )

    poll_flipkart(T0 + timedelta(minutes=1))

    again = take_all(order_queue)
    assert shipment_ids(again) == shipment_ids(first)  # nothing lost
    assert event_ids(again) == event_ids(first)  # the consumer sees duplicates, not new orders
    assert len(event_ids(first)) == 25


def test_a_run_that_fails_mid_search_resumes_from_the_saved_page(
    flipkart: tuple[standin.StandIn, Seller], order_queue: str
) -> None:
    state, seller = flipkart
    for n in range(45):
        seller.add(f"R{n:02d}", "APPROVED", T0 - timedelta(minutes=n + 1))
    state.faults += [standin.Fault(f"{SEARCH}?nextToken", 503) for _ in range(6)]

    failed = poll_flipkart(T0)

    assert failed.failed == [seller.account]
    page_one = shipment_ids(take_all(order_queue))
    assert len(page_one) == 20
    cursor = load_cursor(seller.account, SearchType.PRE_DISPATCH)
    assert cursor is not None
    assert cursor.next_page_url
    assert cursor.window_to == T0

    resumed = poll_flipkart(T0 + timedelta(minutes=5))

    assert resumed.failed == []
    rest = shipment_ids(take_all(order_queue))
    assert sorted(page_one + rest) == sorted(f"R{n:02d}" for n in range(45))


def test_an_expired_next_page_restarts_its_window(
    flipkart: tuple[standin.StandIn, Seller], order_queue: str
) -> None:
    _state, seller = flipkart
    seller.add("E1", "APPROVED", T0 - timedelta(minutes=30))
    since = T0 - timedelta(hours=1)
    save_cursor(
        seller.account,
        SearchType.PRE_DISPATCH,
        Cursor(since=since, window_to=T0, next_page_url="/v3/shipments/filter?nextToken=gone"),
    )

    report = poll_flipkart(T0 + timedelta(minutes=5))

    assert report.failed == []
    assert shipment_ids(take_all(order_queue)) == ["E1"]
    assert load_cursor(seller.account, SearchType.PRE_DISPATCH) == Cursor(since=T0)


def test_refused_shipment_details_do_not_hold_orders_back(
    flipkart: tuple[standin.StandIn, Seller], order_queue: str
) -> None:
    state, seller = flipkart
    seller.add("D1", "APPROVED", T0 - timedelta(minutes=30))
    state.faults.append(standin.Fault("/sellers/v3/shipments/D1", 400))

    report = poll_flipkart(T0)

    assert report.failed == []
    [message] = take_all(order_queue)
    assert "deliveryAddress" not in message.body
    [event] = adapter.to_order_events(message.body)
    assert event.delivery_pincode == ""
