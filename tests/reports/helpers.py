"""Test helpers: a registry of uniquely named SHGs, and orders stored and tallied exactly as the
orders handler does it (the OrderRecord item format of chalicelib/orders/models.py)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from chalice import Chalice

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import to_item
from chalicelib.orders.models import OPEN_STATUSES, EventKind, OrderEvent, OrderLine, OrderRecord, OrderStatus
from chalicelib.registry import repository as registry
from chalicelib.registry.models import SHG, Channel, Language, Member, MemberRole
from chalicelib.reports.aggregates import record_order_change
from haat_tools.local import runner


def utc(text: str) -> datetime:
    """'2026-11-10T00:00+05:30' or '...Z' -> an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def seed_shg(
    shg_id: str, district: str, block: str, onboarded_on: str, makers: dict[str, float]
) -> tuple[SHG, list[Member]]:
    """An SHG with makers (member_id -> income_share) and a coordinator `{shg_id}-M09`."""
    shg = SHG(
        shg_id=shg_id,
        name=f"SHG {shg_id}",
        district=district,
        block=block,
        village="Test village",
        onboarded_on=onboarded_on,
        coordinator_member_id=f"{shg_id}-M09",
    )
    members = [
        Member(
            member_id=member_id,
            shg_id=shg_id,
            name="Test maker",
            phone="+919000000001",
            language=Language.URDU,
            income_share=share,
        )
        for member_id, share in makers.items()
    ]
    members.append(
        Member(
            member_id=f"{shg_id}-M09",
            shg_id=shg_id,
            name="Test coordinator",
            phone="+919000900001",
            language=Language.ENGLISH,
            role=MemberRole.COORDINATOR,
            income_share=0.0,
        )
    )
    registry.put_shg(shg)
    for member in members:
        registry.put_member(member)
    return shg, members


def line(
    shg: SHG, makers: list[str], quantity: int, unit_rupees: int, craft: str = "pashmina_shawl"
) -> OrderLine:
    return OrderLine(
        channel_sku=f"SKU-{shg.shg_id}-{craft}",
        sku=f"SKU-{shg.shg_id}",
        product_id=f"P-{shg.shg_id}",
        shg_id=shg.shg_id,
        district=shg.district,
        block=shg.block,
        craft=craft,
        maker_member_ids=makers,
        quantity=quantity,
        unit_price_paise=unit_rupees * 100,
    )


def put_order(record: OrderRecord) -> None:
    """Store an order as the orders handler does: in the OPEN index while it awaits dispatch."""
    keys: dict[str, Any] = {"pk": f"ORDER#{record.channel.value}#{record.channel_order_id}", "sk": "ORDER"}
    if record.status in OPEN_STATUSES and record.dispatch_by is not None:
        keys["gsi1pk"] = "OPEN"
        keys["gsi1sk"] = (
            f"{record.dispatch_by.astimezone(UTC).isoformat()}#{record.channel.value}#{record.channel_order_id}"
        )
    aws.table(settings().ORDERS_TABLE).put_item(Item=to_item(record, **keys))


class OrderStory:
    """One order's life, each committed change stored and tallied like the orders handler does."""

    def __init__(
        self,
        channel: Channel,
        order_id: str,
        lines: list[OrderLine],
        placed_at: datetime,
        dispatch_by: datetime | None = None,
        *,
        store: bool = False,
        outlet_id: str = "",
    ) -> None:
        self.store = store
        self.record = OrderRecord(
            channel=channel,
            channel_order_id=order_id,
            status=OrderStatus.PLACED,
            placed_at=placed_at,
            last_event_time=placed_at,
            dispatch_by=dispatch_by,
            lines=lines,
            outlet_id=outlet_id,
        )
        self._commit(None, self.record, self._event("placed", placed_at, OrderStatus.PLACED, lines=lines))

    def _event(self, name: str, at: datetime, status: OrderStatus | None, **fields: Any) -> OrderEvent:
        return OrderEvent(
            event_id=f"{self.record.channel_order_id}-{name}",
            channel=self.record.channel,
            channel_order_id=self.record.channel_order_id,
            status=status,
            event_time=at,
            **fields,
        )

    def _commit(self, before: OrderRecord | None, after: OrderRecord, event: OrderEvent) -> None:
        if self.store:
            put_order(after)
        record_order_change(before, after, event)
        self.record = after

    def move(self, status: OrderStatus, at: datetime) -> OrderStory:
        changes: dict[str, Any] = {"status": status, "last_event_time": at}
        if status == OrderStatus.SHIPPED:
            changes["shipped_at"] = at
        if status == OrderStatus.DELIVERED:
            changes["delivered_at"] = at
        after = self.record.model_copy(update=changes)
        self._commit(self.record, after, self._event(status.value, at, status))
        return self

    def pay(self, at: datetime, payout_rupees: int, fee_rupees: int) -> OrderStory:
        after = self.record.model_copy(
            update={
                "payout_paise": payout_rupees * 100,
                "channel_fee_paise": fee_rupees * 100,
                "last_event_time": at,
            }
        )
        event = OrderEvent(
            event_id=f"{self.record.channel_order_id}-payout",
            channel=self.record.channel,
            channel_order_id=self.record.channel_order_id,
            kind=EventKind.PAYOUT,
            event_time=at,
            payout_paise=payout_rupees * 100,
            channel_fee_paise=fee_rupees * 100,
        )
        self._commit(self.record, after, event)
        return self


def run_digest(
    app: Chalice, fired_at: str, report_date: str | None = None
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """Fire `daily_digest` as EventBridge would at `fired_at` (or re-run it for `report_date`);
    its outcome and the three files it wrote, read back from S3."""
    event = runner.scheduled_event("daily_digest", utc(fired_at))
    if report_date:
        event["detail"] = {"report_date": report_date}
    outcome = runner.invoke(app, "daily_digest", event)
    s3 = aws.client("s3")
    files = {
        name: s3.get_object(Bucket=settings().MEDIA_BUCKET, Key=outcome[name.replace(".", "_")])[
            "Body"
        ].read()
        for name in ("digest.csv", "digest.json", "index.html")
    }
    return outcome, files


def digest_row(document: dict[str, Any], period: str, dimension: str, key: str) -> dict[str, str]:
    """The one row of digest.json for (period, dimension, key)."""
    matches = [
        r for r in document["rows"] if (r["period"], r["dimension"], r["key"]) == (period, dimension, key)
    ]
    assert len(matches) == 1, (period, dimension, key)
    return matches[0]


def read_report(key: str) -> bytes:
    """A file the digest wrote to the media bucket."""
    return bytes(aws.client("s3").get_object(Bucket=settings().MEDIA_BUCKET, Key=key)["Body"].read())


def digest_announcements(queue_url: str) -> list[dict[str, Any]]:
    """Every message the digest topic delivered to the subscribed queue so far."""
    found = []
    while (
        messages := aws.client("sqs")
        .receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        .get("Messages")
    ):
        found += [json.loads(json.loads(m["Body"])["Message"]) for m in messages]
    return found


def subscribe_to_digests() -> tuple[str, str]:
    """A queue subscribed to the active stack's digest topic: (queue URL, subscription ARN)."""
    sqs, sns = aws.client("sqs"), aws.client("sns")
    url = str(sqs.create_queue(QueueName=f"digest-subscriber-{uuid.uuid4().hex[:8]}")["QueueUrl"])
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = next(
        t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"].endswith(settings().DIGEST_TOPIC)
    )
    return url, str(sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)["SubscriptionArn"])
