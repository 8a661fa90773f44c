"""Test helpers: a registry of uniquely named SHGs, and orders stored and tallied exactly as the
orders handler does it (the OrderRecord item format of chalicelib/orders/models.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.dynamo import to_item
from chalicelib.orders.models import OPEN_STATUSES, EventKind, OrderEvent, OrderLine, OrderRecord, OrderStatus
from chalicelib.registry import repository as registry
from chalicelib.registry.models import SHG, Channel, Language, Member, MemberRole
from chalicelib.reports.aggregates import record_order_change


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
