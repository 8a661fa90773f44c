"""`deliver_notifications` under faults in SNS and DynamoDB: each SMS reaches the phone once, or is
`unconfirmed` - only when the Publish request left and no answer came - and the operator sees why."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from click.testing import Result

from chalicelib.notify import outbox
from chalicelib.notify.models import Notification, ReminderVariables, Template, Words
from haat_tools.local.fault_proxy import Fault, Kind
from tests.faults import world
from tests.faults.conftest import Scenario

SNS_PUBLISH = ("sns", "Publish")


def _reminders(w: world.World, count: int = 1) -> list[str]:
    ids = []
    for index in range(count):
        notification = Notification(
            notification_id=f"dispatch_reminder:haat:FLT-{w.unique}-{index}:{w.artisan.member_id}",
            template=Template.DISPATCH_REMINDER,
            member_id=w.artisan.member_id,
            shg_id=w.shg.shg_id,
            variables=ReminderVariables(
                channel="Haat",
                order_id=f"FLT-{w.unique}-{index}",
                product=Words(en="Papier-mache box", hi="पेपर माशी डिब्बा", ur="پیپر ماشی ڈبہ"),
                quantity=1,
                dispatch_by="22/11 18:00",
            ),
        )
        assert outbox.enqueue(notification)
        ids.append(notification.notification_id)
    return ids


def _start(scenario: Scenario, count: int = 1) -> tuple[world.World, list[str], float]:
    """A world with `count` due reminders and nothing else due (earlier tests' leftovers delivered)."""
    now = time.time()
    with scenario.plan.suspended():
        world.deliver(scenario.app, now)
        w = world.make_world(scenario.unique)
        ids = _reminders(w, count)
    return w, ids, now


@pytest.mark.parametrize(
    ("kind", "first_state"),
    [(Kind.THROTTLE, "failed"), (Kind.ERROR, "failed"), (Kind.CONNECT, "failed")],
)
def test_a_publish_sns_refused_is_sent_on_a_later_run_once(
    scenario: Scenario, kind: Kind, first_state: str
) -> None:
    app, sms, plan = scenario.app, scenario.sms, scenario.plan
    w, [notification_id], now = _start(scenario)
    plan.add(Fault(*SNS_PUBLISH, kind))
    outcome = world.deliver(app, now)
    assert outcome["states"] == {first_state: 1}
    assert plan.attempts(*SNS_PUBLISH) == 1, "botocore repeated the Publish"
    assert "injected" not in world.outbox_entry(notification_id).get("text", "")
    world.deliver_until_settled(app, now, [notification_id])
    assert world.assert_sms_once(sms, w, [notification_id]) == {notification_id: "sent"}
    assert world.outbox_entry(notification_id)["attempts"] == 2


@pytest.mark.parametrize(
    ("fault", "reason", "received"),
    [
        (Fault(*SNS_PUBLISH, Kind.DROP), "SNS connection dropped after the request was sent", 1),
        (Fault(*SNS_PUBLISH, Kind.RESET), "SNS connection dropped after the request was sent", 0),
        (Fault(*SNS_PUBLISH, Kind.LATENCY, seconds=2.0), "no answer from SNS within 1.0 s", 1),
    ],
    ids=["answer-lost", "dropped-unprocessed", "stalled"],
)
def test_a_publish_without_an_answer_is_unconfirmed_and_never_resent(
    scenario: Scenario, operator_cli: Callable[..., Result], fault: Fault, reason: str, received: int
) -> None:
    app, sms, plan = scenario.app, scenario.sms, scenario.plan
    w, [notification_id], now = _start(scenario)
    plan.add(fault)
    started = time.monotonic()
    assert world.deliver(app, now)["states"] == {"unconfirmed": 1}
    assert time.monotonic() - started < 1.9, "the stalled Publish was not cut at the read timeout"
    assert plan.attempts(*SNS_PUBLISH) == 1, "botocore repeated the Publish"
    time.sleep(fault.seconds)  # the stalled request reaches SNS late
    world.deliver_until_settled(app, now, [notification_id], runs=2)
    world.assert_sms_once(sms, w, [notification_id])
    assert sum(world.sms_received(sms, w.phones).values()) == received
    [listed] = [
        line for line in operator_cli("ops", "sms-unconfirmed").output.splitlines() if notification_id in line
    ]
    assert reason in listed
    assert w.artisan.phone not in listed

    resend = received == 0  # the operator checked SNS's delivery log: nothing went out
    operator_cli("ops", "sms-resolve", notification_id, "--resend" if resend else "--delivered")
    world.deliver_until_settled(app, now + 7200, [notification_id])
    assert world.assert_sms_once(sms, w, [notification_id]) == {notification_id: "sent"}
    assert sum(world.sms_received(sms, w.phones).values()) == 1


def test_sns_refusing_pauses_the_run_and_the_rest_wait_untouched(scenario: Scenario) -> None:
    app, sms, plan = scenario.app, scenario.sms, scenario.plan
    w, ids, now = _start(scenario, count=3)
    plan.add(Fault(*SNS_PUBLISH, Kind.THROTTLE, at=2))
    assert world.deliver(app, now)["states"] == {"sent": 1, "failed": 1, "deferred": 1}
    assert world.state_of(ids[2]) == "pending"
    world.deliver_until_settled(app, now, ids)
    assert set(world.assert_sms_once(sms, w, ids).values()) == {"sent"}


# (faults, final state, SMS received): DynamoDB faults around one delivery (due-path order of calls:
# Query the due entries, GetItem the member, UpdateItem claim, Publish, UpdateItem finish).
DYNAMODB_CASES = {
    "due-query-throttled-beyond-retries": ([Fault("dynamodb", "Query", Kind.THROTTLE, times=6)], "sent", 1),
    "member-read-throttled-beyond-retries": (
        [Fault("dynamodb", "GetItem", Kind.THROTTLE, times=6)],
        "sent",
        1,
    ),
    "member-read-slow": ([Fault("dynamodb", "GetItem", Kind.LATENCY, seconds=0.3)], "sent", 1),
    "claim-answer-lost": ([Fault("dynamodb", "UpdateItem", Kind.DROP)], "sent", 1),
    "claim-done-then-retries-throttled": (
        [
            Fault("dynamodb", "UpdateItem", Kind.DROP),
            Fault("dynamodb", "UpdateItem", Kind.THROTTLE, at=2, times=5),
        ],
        "sent",
        1,
    ),
    "sent-mark-answer-lost": ([Fault("dynamodb", "UpdateItem", Kind.DROP, at=2)], "sent", 1),
    # SNS took it, then the outcome could not be written at all: nobody can know any more that it
    # went, so once the lease runs out it is unconfirmed (and it did reach the phone once).
    "sent-mark-throttled-beyond-retries": (
        [Fault("dynamodb", "UpdateItem", Kind.THROTTLE, at=2, times=6)],
        "unconfirmed",
        1,
    ),
}


@pytest.mark.parametrize(("faults", "final", "received"), DYNAMODB_CASES.values(), ids=DYNAMODB_CASES.keys())
def test_dynamodb_faults_around_a_delivery(
    scenario: Scenario, faults: list[Fault], final: str, received: int
) -> None:
    app, sms, plan = scenario.app, scenario.sms, scenario.plan
    w, [notification_id], now = _start(scenario)
    plan.add(*faults)
    world.deliver(app, now)
    assert plan.injected, "the fault never hit"
    plan.clear()
    world.deliver_until_settled(app, now, [notification_id])
    assert world.assert_sms_once(sms, w, [notification_id]) == {notification_id: final}
    assert sum(world.sms_received(sms, w.phones).values()) == received
