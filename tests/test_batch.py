"""A queue batch: one message's failure is reported for SQS to retry, logged without its text, and the
rest of the batch goes on."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.batch import process_sqs_batch
from chalicelib.observability import logger


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The lines as Lambda prints them (Powertools' formatter)."""
    lines = io.StringIO()
    handler = logging.StreamHandler(lines)
    handler.setFormatter(logger.registered_formatter)
    logger.addHandler(handler)
    try:
        yield lines
    finally:
        logger.removeHandler(handler)


def _message(message_id: str, body: str) -> dict[str, object]:
    return {"messageId": message_id, "receiptHandle": f"handle-{message_id}", "body": body, "attributes": {}}


def test_only_the_failed_message_is_reported_and_the_rest_of_the_batch_is_handled(
    log_lines: io.StringIO,
) -> None:
    handled: list[str] = []

    def handle(record: SQSRecord) -> None:
        if record.body == "throttled":
            raise RuntimeError("member +919876543210 at Budgam")  # what an error text could quote
        handled.append(record.message_id)

    event = {"Records": [_message("m-1", "ok"), _message("m-2", "throttled"), _message("m-3", "ok")]}

    assert process_sqs_batch(event, handle) == {"batchItemFailures": [{"itemIdentifier": "m-2"}]}
    assert handled == ["m-1", "m-3"]
    logged = [json.loads(line) for line in log_lines.getvalue().splitlines() if line.startswith("{")]
    failure = next(line for line in logged if line.get("message_id") == "m-2")
    assert (failure["level"], failure["error"]) == ("WARNING", "RuntimeError")
    assert [text for text in ("9876543210", "Budgam") if text in json.dumps(logged)] == []


def test_an_empty_batch_reports_nothing() -> None:
    assert process_sqs_batch({"Records": []}, lambda record: None) == {"batchItemFailures": []}
