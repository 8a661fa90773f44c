"""The dispatch sweep: chase open orders whose dispatch-by deadline is near or past.

Due orders come from the orders repository's paginated Query of its "OPEN" index (sorted by
deadline), so a sweep reads only orders due within the window. Each notification has a
deterministic id and the outbox puts it conditionally, so each stage reaches each person once per
order, however often the sweep runs or re-runs after a crash.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import ValidationError

from chalicelib.dynamo import from_item
from chalicelib.notify import outbox
from chalicelib.notify.models import EscalationVariables, Notification, Template, Variables
from chalicelib.notify.templates import channel_name, format_deadline, whole_tail
from chalicelib.observability import logger
from chalicelib.orders import repository as orders
from chalicelib.orders import sms
from chalicelib.orders.models import OPEN_STATUSES, OrderLine, OrderRecord
from chalicelib.orders.recipients import choose, told_of
from chalicelib.registry.models import SHORT_NAME_MAX, Member, shorten_at_word
from chalicelib.registry.repository import RegistryCache


@dataclass
class SweepOutcome:
    due: int = 0
    reminders: int = 0
    escalations: int = 0
    already_sent: int = 0
    skipped: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(vars(self))


def _told(order: OrderRecord, cache: RegistryCache) -> list[sms.Told]:
    """Who was told of the order, line by line, as long as she is still in the registry."""
    lines = [line if told_of(line) else _told_now(line, cache) for line in order.lines]
    return [
        told
        for told in sms.told_lines(order.model_copy(update={"lines": lines}))
        if told.member_id in cache.members_of(told.shg_id)
    ]


def _told_now(line: OrderLine, cache: RegistryCache) -> OrderLine:
    """A line that reached nobody (no makers, and a record from before `told_as` or an SHG that had
    no members then): whom it would tell now."""
    shg = cache.shg(line.shg_id)
    members = cache.members_of(line.shg_id).values() if line.shg_id else []
    ids, told_as = choose([], members, shg.coordinator_member_id if shg else "")
    return line.model_copy(update={"told_member_ids": ids, "told_as": told_as})


def _coordinators(order: OrderRecord, cache: RegistryCache) -> list[tuple[str, Member]]:
    found: dict[str, tuple[str, Member]] = {}
    for shg_id in sorted({line.shg_id for line in order.lines if line.shg_id}):
        shg = cache.shg(shg_id)
        if shg and shg.coordinator_member_id:
            member = cache.members_of(shg_id).get(shg.coordinator_member_id)
            if member is not None:
                found[member.member_id] = (shg_id, member)
    return [found[member_id] for member_id in sorted(found)]


def notifications_for(order: OrderRecord, now: datetime, cache: RegistryCache) -> list[Notification]:
    """The reminder (deadline ahead) or the escalation (deadline passed) of one due order: to the
    members told of it, and for an escalation also to each SHG's coordinator."""
    assert order.dispatch_by is not None
    told = _told(order, cache)
    if order.dispatch_by > now:
        return [
            _notification(
                Template.DISPATCH_REMINDER,
                order,
                (one.shg_id, one.member_id, one.suffix),
                sms.reminder_variables(order, one.line),
            )
            for one in told
        ]
    recipients = {one.member_id: one.shg_id for one in told} | {
        member.member_id: shg_id for shg_id, member in _coordinators(order, cache)
    }
    return [
        _notification(
            Template.DISPATCH_ESCALATION,
            order,
            (shg_id, member_id, f":{member_id}"),
            EscalationVariables(
                channel=channel_name(order.channel.value),
                order_id=whole_tail(order.channel_order_id),
                shg=_shg_name(shg_id, cache),
                dispatch_by=format_deadline(order.dispatch_by),
            ),
        )
        for member_id, shg_id in sorted(recipients.items())
    ]


def notification_id(template: Template, order: OrderRecord, suffix: str) -> str:
    return f"{template.value}:{order.channel.value}:{order.channel_order_id}{suffix}"


def sent_for(order: OrderRecord, coordinators: Mapping[str, str]) -> dict[str, tuple[Template, str, str]]:
    """The id of every reminder and escalation the sweep may have enqueued for `order`, with
    (template, shg_id, member_id): to each member told of it, and escalations to each SHG's
    coordinator too (`coordinators`: shg_id -> member id). Pure: the outbox says which exist."""
    reminder, escalation = Template.DISPATCH_REMINDER, Template.DISPATCH_ESCALATION
    ids: dict[str, tuple[Template, str, str]] = {}
    for one in sms.told_lines(order):
        ids[notification_id(reminder, order, one.suffix)] = (reminder, one.shg_id, one.member_id)
        ids[notification_id(escalation, order, f":{one.member_id}")] = (escalation, one.shg_id, one.member_id)
    for line in order.lines:
        if member_id := coordinators.get(line.shg_id):
            ids[notification_id(escalation, order, f":{member_id}")] = (escalation, line.shg_id, member_id)
    return ids


def _notification(
    template: Template, order: OrderRecord, to: tuple[str, str, str], variables: Variables
) -> Notification:
    """`to` is (shg_id, member_id, notification id suffix)."""
    shg_id, member_id, suffix = to
    return Notification(
        notification_id=notification_id(template, order, suffix),
        template=template,
        member_id=member_id,
        shg_id=shg_id,
        variables=variables,
    )


def _shg_name(shg_id: str, cache: RegistryCache) -> str:
    """The SHG as its members and coordinator know it: its name (whole words), else its id."""
    shg = cache.shg(shg_id)
    return shorten_at_word(shg.name, SHORT_NAME_MAX) if shg else whole_tail(shg_id)


def sweep(now: datetime, window: timedelta) -> SweepOutcome:
    """Enqueue reminders for orders due within `window` of `now` and escalations for overdue ones."""
    outcome = SweepOutcome()
    cache = RegistryCache()  # SHGs and members looked up once per sweep, however many orders are due
    for item in orders.open_orders_due(now + window):
        try:
            order = OrderRecord.model_validate(from_item(item))
        except ValidationError as error:
            outcome.skipped += 1
            logger.warning(
                "unreadable open order", extra={"pk": item.get("pk"), "errors": error.error_count()}
            )
            continue
        # The index is eventually consistent: an order shipped a moment ago may still be listed.
        if order.status not in OPEN_STATUSES or order.dispatch_by is None or order.dispatch_by > now + window:
            continue
        outcome.due += 1
        for notification in notifications_for(order, now, cache):
            if not outbox.enqueue(notification):
                outcome.already_sent += 1
            elif notification.template == Template.DISPATCH_ESCALATION:
                outcome.escalations += 1
            else:
                outcome.reminders += 1
    return outcome
