"""The registry-imports queue's consumer: one step (read a file, apply a chunk) per message."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.batch import process_sqs_batch
from chalicelib.observability import logger
from chalicelib.registry.imports import service


def _step(record: SQSRecord) -> None:
    logger.append_keys(correlation_id=record.message_id)
    service.handle(record.body)


def handle_batch(raw_event: dict[str, Any]) -> dict[str, Any]:
    return process_sqs_batch(raw_event, _step)
