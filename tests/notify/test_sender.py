"""Delivery through the outbox against moto's SNS: retries, opt-out, no duplicate SMS after a crash."""

from __future__ import annotations

import socket
import time

import boto3
import pytest
from botocore.config import Config
from chalice import Chalice

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.notify import outbox
from chalicelib.notify.models import Notification
from chalicelib.notify.sender import SnsSmsSender, backoff_seconds, deliver_pending
from chalicelib.registry import repository as registry
from chalicelib.registry.models import Member
from haat_tools.local import runner, stack
from tests.notify.helpers import queued_reminder
from tests.orders.helpers import sms_sent


def _member(unique: str, *, opted_out: bool = False, language: str = "hi") -> Member:
    member = Member(
        member_id=f"M-{unique}",
        shg_id=f"SHG-{unique}",
        name="Test member",
        phone=f"+9190{int(unique, 16) % 10**8:08d}",
        language=language,
        sms_opt_out=opted_out,
    )
    registry.put_member(member)
    return member


def _notification(member: Member, unique: str) -> Notification:
    notification = queued_reminder(member, f"408-{unique}")
    assert not outbox.enqueue(notification), "enqueueing twice is a no-op"
    return notification


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _texts_to(local_aws: stack.LocalAws, phone: str) -> list[str]:
    return [sms["message"] for sms in sms_sent(local_aws) if sms["phone_number"] == phone]


def test_sns_failing_then_recovering_delivers_exactly_once(local_aws: stack.LocalAws, unique: str) -> None:
    member = _member(unique)
    notification = _notification(member, unique)
    unreachable = boto3.client(
        "sns",
        endpoint_url=f"http://127.0.0.1:{_closed_port()}",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    now = time.time()
    [failed] = deliver_pending([notification.notification_id], sender=SnsSmsSender(unreachable), now=now)
    assert failed.state == "failed"
    assert _texts_to(local_aws, member.phone) == []
    entry = outbox.get(notification.notification_id)
    assert entry is not None
    assert entry["state"] == "failed"
    assert int(entry["next_attempt_at"]) == int(now) + backoff_seconds(1)

    too_early = deliver_pending(now=now + 1)
    assert notification.notification_id not in {r.notification_id for r in too_early}, (
        "retried before backoff"
    )
    retried = deliver_pending(now=now + backoff_seconds(1) + 1)
    [recovered] = [r for r in retried if r.notification_id == notification.notification_id]
    assert recovered.state == "sent"
    assert recovered.attempts == 2
    assert deliver_pending([notification.notification_id], now=now + 600)[0].state == "skipped"
    deliver_pending(now=now + 3600)
    assert _texts_to(local_aws, member.phone) == [
        f"हाट: याद रखें - Amazon ऑर्डर 408-{unique} (अखरोट की ट्रे, 1 नग) 22/11 23:59 तक भेजना है।"
    ]


def test_opted_out_member_gets_nothing(local_aws: stack.LocalAws, unique: str) -> None:
    member = _member(unique, opted_out=True)
    notification = _notification(member, unique)
    [result] = deliver_pending([notification.notification_id])
    assert result.state == "opted_out"
    assert _texts_to(local_aws, member.phone) == []
    entry = outbox.get(notification.notification_id)
    assert entry is not None
    assert "gsi1pk" not in entry


def test_entry_left_mid_send_by_a_crash_is_not_sent_again(local_aws: stack.LocalAws, unique: str) -> None:
    member = _member(unique, language="en")
    notification = _notification(member, unique)
    now = time.time()
    aws.table(settings().OUTBOX_TABLE).update_item(  # what a deliverer that died after claiming leaves
        Key={"pk": f"NOTIF#{notification.notification_id}", "sk": "NOTIF"},
        UpdateExpression="SET #s = :sending, lease_until = :lease, attempts = :one",
        ExpressionAttributeNames={"#s": "state"},
        ExpressionAttributeValues={":sending": "sending", ":lease": int(now) + 120, ":one": 1},
    )
    assert deliver_pending([notification.notification_id], now=now)[0].state == "skipped"
    assert deliver_pending([notification.notification_id], now=now + 121)[0].state == "unconfirmed"
    assert _texts_to(local_aws, member.phone) == []


def test_scheduled_deliverer_sends_what_is_due(app: Chalice, local_aws: stack.LocalAws, unique: str) -> None:
    member = _member(unique, language="ur")
    _notification(member, unique)
    outcome = runner.fire(app, "deliver_notifications")
    assert outcome["states"].get("sent", 0) >= 1
    [text] = _texts_to(local_aws, member.phone)
    assert text.startswith("ہاٹ: یاد دہانی - Amazon آرڈر")


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 30), (2, 60), (3, 120), (8, 3600), (50, 3600)])
def test_backoff_doubles_up_to_an_hour(attempts: int, seconds: int) -> None:
    assert backoff_seconds(attempts) == seconds
