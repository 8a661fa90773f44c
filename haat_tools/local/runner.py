"""Feed the real Chalice handlers the events AWS would send them, against the local stack.

- SQS-triggered functions get batches received from their queue, in Lambda's SQS event shape;
  messages reported as batch item failures (or the whole batch, if the handler raises) go back to
  the queue, and moto's redrive policy parks them in the DLQ after maxReceiveCount - as on AWS.
- Scheduled functions get EventBridge "Scheduled Event"s, on demand or on their timers.
- The REST API is served by Chalice's own local server (which also runs the authorizer).
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

from chalice import Chalice
from chalice.app import ScheduledEventConfig, SQSEventConfig
from chalice.cli.factory import CLIFactory
from chalice.local import (
    ChaliceRequestHandler,
    LocalDevServer,
    LocalGateway,
    LocalGatewayAuthorizer,
    LocalGatewayException,
    NotAuthorizedError,
)
from chalice.test import LambdaContext

from chalicelib import aws
from chalicelib.api import UNAUTHORIZED
from chalicelib.config import settings
from haat_tools.local.stack import PROJECT_DIR

ACCOUNT_ID = "123456789012"


@dataclass(frozen=True)
class QueueBinding:
    function: str
    queue_setting: str


# Which queue feeds which function (in AWS: infra/resources.yaml binds app.py's queue ARNs). The
# batch size is the one app.py declares (`batch_size`), read from the app when draining.
QUEUE_BINDINGS = (
    QueueBinding("on_photo_uploaded", "PHOTO_UPLOADS_QUEUE"),
    QueueBinding("on_order_events", "ORDER_EVENTS_QUEUE"),
    QueueBinding("on_registry_import", "REGISTRY_IMPORTS_QUEUE"),
)


def binding(function: str) -> QueueBinding:
    """The queue binding of an SQS-triggered function."""
    return next(b for b in QUEUE_BINDINGS if b.function == function)


def batch_size(app: Chalice, function: str) -> int:
    """The SQS batch size app.py declares for `function`."""
    return next(
        int(source.batch_size)
        for source in app.event_sources
        if isinstance(source, SQSEventConfig) and source.name == function
    )


@dataclass
class DrainResult:
    invocations: int = 0
    succeeded: int = 0
    failed: int = 0
    responses: list[Any] = field(default_factory=list)


@functools.cache
def _memory_size(function: str, stage: str = "local") -> int:
    """The function's memory size as .chalice/config.json sets it (what its Lambda context reports)."""
    config = CLIFactory(str(PROJECT_DIR)).create_config_obj(chalice_stage_name=stage)
    return int(config.scope(stage, function).lambda_memory_size)


def invoke(app: Chalice, function: str, event: dict[str, Any]) -> Any:
    """Call a Chalice function exactly as its Lambda entry point would be called.

    The same call as Chalice's `Client.lambda_.invoke`, without its per-call environment: that
    re-applies the stage's variables from .chalice/config.json, which would undo the local stack's
    (its endpoints, a stand-in channel's URL).
    """
    return app.handler_map[function](event, LambdaContext(function, memory_size=_memory_size(function)))


def sqs_event(messages: list[dict[str, Any]], queue_name: str) -> dict[str, Any]:
    """Lambda's SQS event for messages as ReceiveMessage returned them."""
    region = os.environ.get("AWS_REGION", "ap-south-1")
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message.get("Attributes", {}),
                "messageAttributes": {
                    name: {
                        "stringValue": value.get("StringValue"),
                        "binaryValue": value.get("BinaryValue"),
                        "stringListValues": [],
                        "binaryListValues": [],
                        "dataType": value["DataType"],
                    }
                    for name, value in message.get("MessageAttributes", {}).items()
                },
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{region}:{ACCOUNT_ID}:{queue_name}",
                "awsRegion": region,
            }
            for message in messages
        ]
    }


def drain(app: Chalice, binding: QueueBinding, *, max_invocations: int = 1000) -> DrainResult:
    """Deliver what is on the binding's queue to its function until the queue is empty."""
    sqs = aws.client("sqs")
    queue_name = getattr(settings(), binding.queue_setting)
    url = aws.queue_url(queue_name)
    result = DrainResult()
    size = batch_size(app, binding.function)
    while result.invocations < max_invocations:
        messages = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=size,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return result
        result.invocations += 1
        try:
            response = invoke(app, binding.function, sqs_event(messages, queue_name))
            failed_ids = {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])}
        except Exception:  # noqa: BLE001 - a crashing handler fails its whole batch, as on Lambda
            response, failed_ids = None, {m["MessageId"] for m in messages}
        result.responses.append(response)
        for message in messages:
            if message["MessageId"] in failed_ids:
                result.failed += 1
                sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                )
            else:
                result.succeeded += 1
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
    return result


def drain_all(app: Chalice) -> dict[str, DrainResult]:
    return {binding.function: drain(app, binding) for binding in QUEUE_BINDINGS}


def scheduled_event(function: str, at: datetime) -> dict[str, Any]:
    region = os.environ.get("AWS_REGION", "ap-south-1")
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{ACCOUNT_ID}:rule/haat-local-{function}"],
        "detail": {},
    }


def fire(app: Chalice, function: str, at: datetime | None = None) -> Any:
    """Fire a scheduled function now (or as if at `at`)."""
    return invoke(app, function, scheduled_event(function, at or datetime.now(UTC)))


def schedules(app: Chalice) -> dict[str, str]:
    """function name -> schedule expression, as declared in app.py."""
    return {
        source.name: str(source.schedule_expression)
        for source in app.event_sources
        if isinstance(source, ScheduledEventConfig)
    }


_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_DAILY_CRON = re.compile(r"cron\((\d+) (\d+) \* \* \? \*\)")


def next_fire(expression: str, after: datetime) -> datetime:
    """When an EventBridge `rate(...)` or daily `cron(M H * * ? *)` expression next fires."""
    if match := _RATE.fullmatch(expression):
        amount, unit = int(match[1]), match[2].rstrip("s")
        return after + timedelta(**{f"{unit}s": amount})
    if match := _DAILY_CRON.fullmatch(expression):
        candidate = after.replace(hour=int(match[2]), minute=int(match[1]), second=0, microsecond=0)
        return candidate if candidate > after else candidate + timedelta(days=1)
    raise ValueError(f"unsupported schedule expression: {expression}")


class BackgroundRunner:
    """Polls the queues and fires schedules on their timers until stopped (`haat local up`)."""

    def __init__(self, app: Chalice, poll_seconds: float = 0.5) -> None:
        self._app = app
        self._poll_seconds = poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="haat-runner", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        now = datetime.now(UTC)
        due = {name: next_fire(expr, now) for name, expr in schedules(self._app).items()}
        while not self._stop.is_set():
            drain_all(self._app)
            now = datetime.now(UTC)
            for name, at in due.items():
                if now >= at:
                    fire(self._app, name, now)
                    due[name] = next_fire(schedules(self._app)[name], now)
            self._stop.wait(self._poll_seconds)


class _ApiGatewayAuthorizer(LocalGatewayAuthorizer):
    """Chalice's local authorizer with API Gateway's rule that an authorizer failing with the
    message "Unauthorized" is a 401 (Chalice's local gateway would let the exception escape)."""

    def authorize(self, raw_path: str, lambda_event: Any, lambda_context: Any) -> Any:
        try:
            return super().authorize(raw_path, lambda_event, lambda_context)
        except LocalGatewayException:
            raise
        except Exception as error:
            if str(error) != UNAUTHORIZED:
                raise
            headers = {
                "x-amzn-RequestId": lambda_context.aws_request_id,
                "x-amzn-ErrorType": "UnauthorizedException",
            }
            raise NotAuthorizedError(headers, b'{"message":"Unauthorized"}') from error


def as_api_gateway(gateway: LocalGateway) -> LocalGateway:
    """Make a Chalice local gateway (the dev server's or chalice.test.Client's) answer as API Gateway."""
    gateway._authorizer = _ApiGatewayAuthorizer(gateway._app_object)
    return gateway


class _QuietRequestHandler(ChaliceRequestHandler):
    """Chalice's local handler, answering as API Gateway, without its access log on stderr (the
    handlers log structurally)."""

    def __init__(
        self, request: Any, client_address: Any, server: Any, app_object: Chalice, config: Any
    ) -> None:
        self.local_gateway = as_api_gateway(LocalGateway(app_object, config))
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def serve_api(app: Chalice, port: int = 0, stage: str = "local") -> Iterator[str]:
    """Serve the REST API with Chalice's local server; yields its base URL."""
    config = CLIFactory(str(PROJECT_DIR)).create_config_obj(chalice_stage_name=stage)
    server = LocalDevServer(app, config, "127.0.0.1", port, handler_cls=_QuietRequestHandler)
    thread = threading.Thread(target=server.server.serve_forever, name="haat-api", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server.server_address[1]}"
    finally:
        server.shutdown()
        server.server.server_close()


def load_app() -> Chalice:
    """Import the project's app.py (the same module Lambda imports)."""
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    module = importlib.import_module("app")
    return module.app  # type: ignore[no-any-return]
