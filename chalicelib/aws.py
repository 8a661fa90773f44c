"""boto3 clients and resources, built lazily and once per container.

boto3 honours AWS_ENDPOINT_URL, so the same code talks to AWS, the embedded moto server or
LocalStack; nothing here makes a network call at import time.
"""

from __future__ import annotations

import functools
from typing import Any

import boto3
from botocore.config import Config

from chalicelib.config import settings

# Idempotent or conditional calls: botocore's standard retries (throttling, 5xx, dropped connections).
_RETRIES = Config(retries={"max_attempts": 5, "mode": "standard"}, connect_timeout=5, read_timeout=30)


@functools.cache
def client(service: str) -> Any:
    """A boto3 client for `service`, shared by every invocation in this container."""
    return boto3.client(service, config=_RETRIES)  # type: ignore[call-overload]


@functools.cache
def sms_client() -> Any:
    """The SNS client that sends SMS: one attempt per Publish, short timeouts.

    SNS has no idempotency key for SMS, so a Publish repeated after a timeout or a dropped connection
    can reach the phone twice: botocore must never repeat it, and a stalled call must end well inside
    the function's timeout. The deliverer decides what happens next (chalicelib/notify/sender.py).
    """
    config = settings()
    return boto3.client(
        "sns",
        config=Config(
            retries={"total_max_attempts": 1, "mode": "standard"},
            connect_timeout=config.SMS_CONNECT_TIMEOUT_SECONDS,
            read_timeout=config.SMS_READ_TIMEOUT_SECONDS,
        ),
    )


@functools.cache
def table(name: str) -> Any:
    """A DynamoDB Table resource for `name`."""
    return boto3.resource("dynamodb", config=_RETRIES).Table(name)


@functools.cache
def queue_url(name: str) -> str:
    """The URL of SQS queue `name`, looked up once."""
    return str(client("sqs").get_queue_url(QueueName=name)["QueueUrl"])


def reset() -> None:
    """Forget cached clients (tests and the local stack switch endpoints)."""
    client.cache_clear()
    sms_client.cache_clear()
    table.cache_clear()
    queue_url.cache_clear()
