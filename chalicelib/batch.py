"""SQS partial batch responses for Chalice handlers.

Chalice hands our return value straight back to Lambda, and the event source mapping has
ReportBatchItemFailures (infra/resources.yaml), so returning {"batchItemFailures": [...]} makes
Lambda retry only the messages that failed; after maxReceiveCount they land in the DLQ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

RecordHandler = Callable[[SQSRecord], Any]


def process_sqs_batch(
    raw_event: dict[str, Any], record_handler: RecordHandler, context: Any
) -> dict[str, Any]:
    """Run `record_handler` on every record; report the ones that raised as batch item failures."""
    processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
    return dict(
        process_partial_response(
            event=raw_event, record_handler=record_handler, processor=processor, context=context
        )
    )
