"""`poll_channels`: pull changed Flipkart order items for every seller account onto the queue.

Per account and search type (preDispatch, postDispatch, cancelled) a checkpoint in the ops table
says where the next run starts: the start of a time window and, mid-window, the next page. A page's
shipments are put on the queue before the checkpoint moves past them, so a crash re-reads a page
and never skips one; the re-sent shipments carry the same event ids and the idempotent consumer
absorbs them. Windows overlap by FLIPKART_CHECKPOINT_OVERLAP_SECONDS for the same reason.
"""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit
from pydantic import AwareDatetime, BaseModel, Field

from chalicelib import aws, ops
from chalicelib.config import settings
from chalicelib.connectors import queue
from chalicelib.connectors.flipkart.client import FlipkartClient, FlipkartHttpError, SellerCredentials
from chalicelib.connectors.flipkart.models import (
    STATES_OF,
    DateFilter,
    Filter,
    Pagination,
    SearchShipmentRequest,
    SearchShipmentResponse,
    SearchType,
)
from chalicelib.observability import logger, metrics

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

CHANNEL = "flipkart"


class Cursor(BaseModel):
    """Where one search type of one account resumes."""

    since: AwareDatetime
    window_to: AwareDatetime | None = None
    next_page_url: str | None = None


class SearchResult(BaseModel):
    pages: int = 0
    shipments: int = 0
    complete: bool = False


class AccountResult(BaseModel):
    account: str
    ok: bool
    shipments: int = 0
    pages: int = 0
    retries: int = 0
    error: str = ""
    searches: dict[str, SearchResult] = Field(default_factory=dict)


class PollReport(BaseModel):
    started_at: AwareDatetime
    accounts: list[AccountResult]

    @property
    def failed(self) -> list[str]:
        return [a.account for a in self.accounts if not a.ok]


def load_cursor(account: str, search_type: SearchType) -> Cursor | None:
    item = ops.load_checkpoint(f"{CHANNEL}#{account}", search_type.value)
    return Cursor.model_validate(item["cursor"]) if item else None


def save_cursor(account: str, search_type: SearchType, cursor: Cursor) -> None:
    attributes = {"cursor": cursor.model_dump(mode="json"), "saved_at": datetime.now(UTC).isoformat()}
    ops.save_checkpoint(f"{CHANNEL}#{account}", search_type.value, attributes)


@functools.cache
def _secrets(client: Any) -> SecretsProvider:
    """A caching provider bound to this container's Secrets Manager client (aws.reset() renews it);
    Powertools' parameters load here, on the poller's path only."""
    from aws_lambda_powertools.utilities.parameters import SecretsProvider

    return SecretsProvider(boto3_client=client)


def load_credentials(account: str) -> SellerCredentials:
    secret = _secrets(aws.client("secretsmanager")).get(
        settings().flipkart_secret_name(account), transform="json", max_age=300
    )
    return SellerCredentials.model_validate(secret)


def search_request(search_type: SearchType, since: datetime, until: datetime) -> SearchShipmentRequest:
    """A search for items of `search_type` that changed in [since - overlap, until]."""
    window = DateFilter.model_validate(
        {"from": since - timedelta(seconds=settings().FLIPKART_CHECKPOINT_OVERLAP_SECONDS), "to": until}
    )
    date_filter = {"cancellationDate" if search_type is SearchType.CANCELLED else "modifiedDate": window}
    return SearchShipmentRequest(
        filter=Filter.model_validate(
            {"type": search_type, "states": list(STATES_OF[search_type]), **date_filter}
        ),
        pagination=Pagination.model_validate({"pageSize": settings().FLIPKART_PAGE_SIZE}),
    )


def _with_delivery_address(client: FlipkartClient, shipments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each shipment plus the city/state/pincode of its delivery address (no other customer data).
    Flipkart refusing the details (4xx) never holds the orders back: they go without the address."""
    ids = [str(s["shipmentId"]) for s in shipments if s.get("shipmentId")]
    try:
        addresses = client.delivery_addresses(ids)
    except FlipkartHttpError as error:
        if error.status >= 500 or error.status == 401:
            raise
        logger.warning(
            "shipment details refused; enqueueing without addresses", extra={"status": error.status}
        )
        addresses = {}
    enriched = []
    for shipment in shipments:
        address = addresses.get(str(shipment.get("shipmentId")))
        extra = {"deliveryAddress": address.model_dump(by_alias=True)} if address else {}
        enriched.append({**shipment, **extra})
    return enriched


def _first_page(
    client: FlipkartClient, search_type: SearchType, cursor: Cursor, until: datetime
) -> SearchShipmentResponse:
    if cursor.next_page_url:
        try:
            return client.next_page(cursor.next_page_url)
        except FlipkartHttpError as error:
            if error.status >= 500 or error.status == 401:
                raise
            logger.info("next page expired, restarting the window", extra={"search": search_type.value})
    return client.search(search_request(search_type, cursor.since, until))


def poll_search(
    client: FlipkartClient,
    account: str,
    search_type: SearchType,
    now: datetime,
    deadline: float,
) -> SearchResult:
    """All pages of one search type, each enqueued and then checkpointed."""
    cursor = load_cursor(account, search_type) or Cursor(
        since=now - timedelta(hours=settings().FLIPKART_FIRST_RUN_LOOKBACK_HOURS)
    )
    until = cursor.window_to or now
    result = SearchResult()
    page = _first_page(client, search_type, cursor, until)
    while True:
        if page.shipments:
            queue.send_payloads(CHANNEL, _with_delivery_address(client, page.shipments))
        result.pages += 1
        result.shipments += len(page.shipments)
        more = bool(page.has_more and page.next_page_url)
        cursor = (
            Cursor(since=cursor.since, window_to=until, next_page_url=page.next_page_url)
            if more
            else Cursor(since=until)
        )
        save_cursor(account, search_type, cursor)
        if not more:
            result.complete = True
            return result
        if time.monotonic() >= deadline:
            logger.warning("run budget spent; resuming next run", extra={"search": search_type.value})
            return result
        page = client.next_page(str(page.next_page_url))


def poll_account(account: str, now: datetime, deadline: float) -> AccountResult:
    config = settings()
    client = FlipkartClient(
        config.FLIPKART_API_URL,
        load_credentials(account),
        deadline=deadline,
        retry_base_seconds=config.FLIPKART_RETRY_BASE_SECONDS,
    )
    result = AccountResult(account=account, ok=True)
    try:
        for search_type in SearchType:
            if time.monotonic() >= deadline:
                break
            searched = poll_search(client, account, search_type, now, deadline)
            result.searches[search_type.value] = searched
            result.pages += searched.pages
            result.shipments += searched.shipments
    finally:
        result.retries = client.retries
    return result


def poll_flipkart(now: datetime | None = None) -> PollReport:
    """Poll every configured seller account; one failing account never stops the others."""
    started = now or datetime.now(UTC)
    deadline = time.monotonic() + settings().POLL_RUN_BUDGET_SECONDS
    results = []
    for account in settings().flipkart_accounts:
        logger.append_keys(seller_account=account)
        try:
            result = poll_account(account, started, deadline)
            metrics.add_metric(
                name="FlipkartShipmentsEnqueued", unit=MetricUnit.Count, value=result.shipments
            )
            metrics.add_metric(name="FlipkartRetries", unit=MetricUnit.Count, value=result.retries)
        except Exception as error:  # noqa: BLE001 - recorded and counted; the other accounts go on
            logger.exception("flipkart account poll failed")
            metrics.add_metric(name="FlipkartAccountPollFailures", unit=MetricUnit.Count, value=1)
            result = AccountResult(account=account, ok=False, error=f"{type(error).__name__}: {error}")
        finally:
            logger.remove_keys(["seller_account"])
        results.append(result)
    return PollReport(started_at=started, accounts=results)
