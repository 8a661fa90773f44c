"""A small world of its own per scenario, what a real deployment does after a failure, and the checks
every scenario ends with: nothing lost, no SMS twice, no counter counted twice, nothing stuck."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalice import Chalice

from chalicelib import aws, queues
from chalicelib.config import settings
from chalicelib.notify import outbox
from chalicelib.registry import repository as registry
from chalicelib.registry.models import (
    SHG,
    Channel,
    ChannelListing,
    CraftCategory,
    Member,
    MemberRole,
    Product,
)
from haat_tools.local import runner
from haat_tools.local.fault_proxy import FaultPlan

DISTRICT = "Srinagar"
CRAFT = CraftCategory.PAPIER_MACHE
PRICE_PAISE = 150_000
SETTLED_STATES = frozenset({"sent", "unconfirmed", "opted_out", "undeliverable"})


@dataclass(frozen=True)
class World:
    """One SHG of its own (so its report counters are this scenario's alone), its members, a product."""

    unique: str
    shg: SHG
    artisan: Member
    resource_person: Member
    product: Product

    @property
    def phones(self) -> set[str]:
        return {self.artisan.phone, self.resource_person.phone}


def _phone(prefix: str, unique: str) -> str:
    return f"+91{prefix}{int(unique, 16) % 10**8:08d}"


def make_world(unique: str, *, stock: int = 100, language: str = "hi") -> World:
    shg = SHG(
        shg_id=f"FLT-{unique}",
        name="Fault test SHG",
        district=DISTRICT,
        block=f"Block-{unique}",
        village="Dara",
    )
    artisan = Member(
        member_id=f"FLT-{unique}-A",
        shg_id=shg.shg_id,
        name="Artisan",
        phone=_phone("98", unique),
        language=language,
    )
    resource_person = Member(
        member_id=f"FLT-{unique}-R",
        shg_id=shg.shg_id,
        name="Resource person",
        phone=_phone("97", unique),
        language="en",
        role=MemberRole.RESOURCE_PERSON,
    )
    product = Product(
        product_id=f"P-FLT-{unique}",
        shg_id=shg.shg_id,
        sku=f"FLT-{unique}",
        craft=CRAFT,
        title="Papier-mache box",
        price_paise=PRICE_PAISE,
        stock=stock,
        maker_member_ids=[artisan.member_id],
        listings=[
            ChannelListing(channel=Channel.HAAT, channel_sku=f"FLT-{unique}"),
            ChannelListing(channel=Channel.FLIPKART, channel_sku=f"FK-FLT-{unique}"),
        ],
    )
    registry.put_shg(shg)
    registry.put_member(artisan)
    registry.put_member(resource_person)
    registry.put_product(product, shg)
    return World(unique, shg, artisan, resource_person, product)


# --- what AWS does after a failure ------------------------------------------------------------


def poll_queue(app: Chalice, function: str) -> runner.DrainResult:
    """Lambda's SQS event source until the queue is empty: failed messages come back (at once here,
    after their visibility timeout in AWS) and after maxReceiveCount moto parks them in the DLQ.

    The event source's own calls (ReceiveMessage, DeleteMessage, ChangeMessageVisibility) are AWS's,
    not the function's, which never makes them: no scenario faults them.
    """
    return runner.drain(app, runner.binding(function))


def dead_letters(function: str) -> list[str]:
    """Bodies in the DLQ of the function's queue (left there: ApproximateNumberOfMessages is enough
    for alarms, the bodies are for the test)."""
    queue = getattr(settings(), runner.binding(function).queue_setting)
    sqs = aws.client("sqs")
    url = aws.queue_url(queues.dead_letter_queue(queue))
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0).get(
        "Messages", []
    )
    return [message["Body"] for message in messages]


def redrive(app: Chalice, function: str, plan: FaultPlan) -> int:
    """The runbook's `haat ops redrive`, then the event source again."""
    with plan.suspended():
        moved = queues.redrive(getattr(settings(), runner.binding(function).queue_setting))
    poll_queue(app, function)
    return moved


def fire(app: Chalice, function: str, at: datetime, *, attempts: int = 3) -> Any:
    """EventBridge invokes a scheduled function asynchronously: Lambda retries a failed invocation
    twice with the same event. The outcome of the first attempt that succeeded, or None."""
    for _ in range(attempts):
        try:
            return runner.fire(app, function, at)
        except Exception:  # noqa: BLE001, S112 - what Lambda does with a failed async invocation
            continue
    return None


def deliver(app: Chalice, at: float) -> Any:
    """One run of the scheduled `deliver_notifications`."""
    return fire(app, "deliver_notifications", datetime.fromtimestamp(at, UTC))


def deliver_until_settled(app: Chalice, start: float, ids: list[str], *, runs: int = 8) -> float:
    """Scheduled deliverer runs an hour apart (past any backoff and lease) until every entry settled."""
    at = start
    for _ in range(runs):
        at += 3600
        deliver(app, at)
        if all(state_of(notification_id) in SETTLED_STATES for notification_id in ids):
            break
    return at


# --- what there is to check ---------------------------------------------------------------------


def state_of(notification_id: str) -> str:
    return str(outbox_entry(notification_id).get("state", "missing"))


def outbox_entry(notification_id: str) -> dict[str, Any]:
    return outbox.read(notification_id) or {}


def sms_received(ledger: Counter[tuple[str, str]], phones: set[str]) -> Counter[tuple[str, str]]:
    """(phone, text) -> how many times SNS took it, as the proxy saw SNS answer (answer lost or not)."""
    return Counter({key: count for key, count in ledger.items() if key[0] in phones})


def counters(day: str, shg_id: str) -> dict[str, int]:
    """The SHG's report counters of an IST day."""
    item = (
        aws.table(settings().REPORTS_TABLE)
        .get_item(Key={"pk": f"DAY#{day}", "sk": f"shg#{shg_id}"}, ConsistentRead=True)
        .get("Item")
        or {}
    )
    return {name: int(value) for name, value in item.items() if not isinstance(value, str)}


def assert_sms_once(
    ledger: Counter[tuple[str, str]], world: World, notification_ids: list[str]
) -> dict[str, str]:
    """Each entry settled; a sent one reached its phone exactly once, an unconfirmed one at most once
    and says why; no text reached any phone twice. Returns each entry's state."""
    received = sms_received(ledger, world.phones)
    assert max(received.values(), default=0) <= 1, f"an SMS went twice: {received}"
    states = {}
    for notification_id in notification_ids:
        entry = outbox_entry(notification_id)
        states[notification_id] = str(entry.get("state"))
        assert entry.get("state") in SETTLED_STATES, f"{notification_id} stuck in {entry.get('state')}"
        if entry["state"] == "sent":
            assert received[(_phone_of(world, entry), entry["text"])] == 1, notification_id
        if entry["state"] == "unconfirmed":
            assert entry.get("reason"), notification_id
            assert notification_id in {e["notification_id"] for e in outbox.unconfirmed(limit=1000)}
    return states


def _phone_of(world: World, entry: dict[str, Any]) -> str:
    return (
        world.artisan.phone if entry["member_id"] == world.artisan.member_id else world.resource_person.phone
    )
