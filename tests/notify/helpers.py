"""Helpers for notification tests: a reminder waiting in the outbox, as the dispatch sweep leaves it."""

from __future__ import annotations

from chalicelib.notify import outbox
from chalicelib.notify.models import Notification, ReminderVariables, Template, Words
from chalicelib.registry.models import Member


def queued_reminder(member: Member, order_id: str) -> Notification:
    """A dispatch reminder for `member` about Amazon order `order_id`, enqueued (pending)."""
    notification = Notification(
        notification_id=f"dispatch_reminder:amazon:{order_id}:{member.member_id}",
        template=Template.DISPATCH_REMINDER,
        member_id=member.member_id,
        shg_id=member.shg_id,
        variables=ReminderVariables(
            channel="Amazon",
            order_id=order_id,
            product=Words(en="Walnut tray", hi="अखरोट की ट्रे", ur="اخروٹ کی ٹرے"),
            quantity=1,
            dispatch_by="22/11 23:59",
        ),
    )
    assert outbox.enqueue(notification)
    return notification
