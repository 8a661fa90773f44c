"""SQS partial batch responses for Chalice handlers.

Chalice hands our return value straight back to Lambda, and the event source mapping has
ReportBatchItemFailures (infra/resources.yaml), so returning {"batchItemFailures": [...]} makes
Lambda retry only the messages that failed; after maxReceiveCount they land in the DLQ.

The loop is ours rather than Powertools' `BatchProcessor`: importing Powertools' batch utility after
pydantic builds every model of Powertools' parser for its type hints (~80 ms of a queue consumer's
cold start; the consumers escaped it only by importing it first), and even before pydantic it loads
~25 ms more than this loop needs. The records are Powertools' `SQSRecord` as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.observability import logger

RecordHandler = Callable[[SQSRecord], Any]


def process_sqs_batch(raw_event: dict[str, Any], record_handler: RecordHandler) -> dict[str, Any]:
    """Run `record_handler` on every record; report the ones that raised as batch item failures
    (the rest of the batch goes on; what failed is retried by SQS, then parked in the DLQ)."""
    failures = []
    for raw_record in raw_event.get("Records", []):
        record = SQSRecord(raw_record)
        try:
            record_handler(record)
        except Exception as error:  # noqa: BLE001 - any failure of one message is that message's alone
            # The error's type only: an AWS error's text can quote the item it was given.
            logger.warning(
                "message failed; SQS will retry it, then park it in the DLQ",
                extra={"message_id": record.message_id, "error": type(error).__name__},
            )
            failures.append({"itemIdentifier": record.message_id})
    return {"batchItemFailures": failures}
