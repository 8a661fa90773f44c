"""Every alarm watches a metric that exists: Haat's own as the handlers emit them (their EMF output,
captured while the real code is made to fail the way each alarm is about), AWS's by name."""

from __future__ import annotations

import json
import socket
import threading
import time
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
import yaml
from botocore.config import Config
from chalice import Chalice

from chalicelib import aws
from chalicelib.config import settings
from chalicelib.notify.sender import SnsSmsSender, deliver_pending
from chalicelib.observability import metrics
from chalicelib.registry import repository as registry
from haat_tools.local import demo, runner, stack
from tests.notify.helpers import queued_reminder

# The AWS metrics the template's alarms may watch (CloudWatch's documented names) and the one
# dimension each is watched by.
AWS_METRICS = {
    "AWS/SQS": ({"ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage"}, "QueueName"),
    "AWS/Lambda": ({"Errors", "Throttles", "Duration", "ConcurrentExecutions"}, "FunctionName"),
}
Metric = tuple[str, str, frozenset[tuple[str, str]]]


def _watched() -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """Alarm -> the (namespace, metric name, dimensions) it watches, metric math included."""
    template = yaml.safe_load(stack.TEMPLATE_PATH.read_text())
    watched: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for name, resource in template["Resources"].items():
        if resource.get("Type") != "AWS::CloudWatch::Alarm":
            continue
        properties = resource["Properties"]
        specs = [m["MetricStat"]["Metric"] for m in properties.get("Metrics", []) if "MetricStat" in m]
        if "MetricName" in properties:
            specs.append(properties)
        watched[name] = [
            (s["Namespace"], s["MetricName"], {d["Name"]: d["Value"] for d in s.get("Dimensions", [])})
            for s in specs
        ]
    return watched


def _emf(printed: str) -> set[Metric]:
    emitted = set()
    for line in printed.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        document = json.loads(line)
        for directive in document["_aws"]["CloudWatchMetrics"]:
            for dimension_set in directive["Dimensions"]:
                dimensions = frozenset((d, str(document[d])) for d in dimension_set)
                emitted |= {(directive["Namespace"], m["Name"], dimensions) for m in directive["Metrics"]}
    return emitted


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _sms_fails(unique: str) -> None:
    """SNS unreachable while a notification is due: the deliverer records a failed send."""
    demo.seed_registry()
    member = registry.members_of("JK-SGR-0001")[0]
    notification = queued_reminder(member, f"408-{unique}-alarm")
    unreachable = boto3.client(
        "sns",
        endpoint_url=f"http://127.0.0.1:{_closed_port()}",
        config=Config(retries={"max_attempts": 1}, connect_timeout=1),
    )
    [result] = deliver_pending(
        [notification.notification_id], sender=SnsSmsSender(unreachable), now=time.time()
    )
    assert result.state == "failed"
    metrics.flush_metrics()  # as the function's middleware does at the end of an invocation


def _sms_unanswered(unique: str) -> None:
    """SNS reads the Publish and drops the connection unanswered: the SMS is unconfirmed."""
    member = registry.members_of("JK-SGR-0001")[0]
    notification = queued_reminder(member, f"408-{unique}-unanswered")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()

        def swallow() -> None:
            connection, _ = server.accept()
            with connection:
                connection.recv(1 << 16)

        thread = threading.Thread(target=swallow, daemon=True)
        thread.start()
        silent = boto3.client(
            "sns",
            endpoint_url=f"http://127.0.0.1:{server.getsockname()[1]}",
            config=Config(retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=5),
        )
        # An hour on, past the pause the failed send above started.
        [result] = deliver_pending(
            [notification.notification_id], sender=SnsSmsSender(silent), now=time.time() + 3600
        )
        thread.join(timeout=10)
    assert result.state == "unconfirmed", result
    metrics.flush_metrics()


def _order_message_is_quarantined(app: Chalice, unique: str) -> None:
    aws.client("sqs").send_message(
        QueueUrl=aws.queue_url(settings().ORDER_EVENTS_QUEUE), MessageBody=f"not json {unique}"
    )
    assert runner.drain(app, runner.binding("on_order_events")).succeeded >= 1


def _flipkart_is_unreachable(app: Chalice, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLIPKART_API_URL", f"http://127.0.0.1:{_closed_port()}")
    settings.cache_clear()
    try:
        # Fired long ago, so that no other test takes this run for the latest poll.
        outcome = runner.fire(app, "poll_channels", datetime(2026, 1, 1, 6, 0, tzinfo=UTC))
    finally:
        monkeypatch.undo()
        settings.cache_clear()
    assert outcome["failed_accounts"], outcome


def test_every_alarm_on_haat_metrics_watches_one_the_code_emits(
    app: Chalice,
    local_aws: stack.LocalAws,
    unique: str,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("POWERTOOLS_METRICS_DISABLED", raising=False)
    capfd.readouterr()
    _sms_fails(unique)
    _sms_unanswered(unique)
    _order_message_is_quarantined(app, unique)
    _flipkart_is_unreachable(app, monkeypatch)
    emitted = _emf(capfd.readouterr().out)

    watched_custom = [
        (alarm, metric)
        for alarm, metrics_ in _watched().items()
        for metric in metrics_
        if not metric[0].startswith("AWS/")
    ]
    assert len(watched_custom) >= 4, "the SMS failed and unconfirmed, quarantine and Flipkart alarms"
    for alarm, (namespace, name, dimensions) in watched_custom:
        wanted = (namespace, name, frozenset(dimensions.items()))
        assert wanted in emitted, f"{alarm} watches {wanted}; the code emits {sorted(emitted)}"


def test_every_alarm_on_aws_metrics_watches_a_metric_aws_publishes() -> None:
    template = yaml.safe_load(stack.TEMPLATE_PATH.read_text())
    for alarm, watched in _watched().items():
        for namespace, name, dimensions in watched:
            if not namespace.startswith("AWS/"):
                continue
            names, dimension = AWS_METRICS[namespace]
            assert name in names, f"{alarm}: no {namespace} metric {name}"
            assert set(dimensions) == {dimension}, alarm
            target = dimensions[dimension]
            referenced = target.get("Ref") or target["Fn::GetAtt"][0]
            assert referenced in template["Resources"], f"{alarm} watches a resource the template lacks"
