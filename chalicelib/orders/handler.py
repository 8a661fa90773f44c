"""`on_order_events`: order events from every channel, delivered through the order-events queue."""

from __future__ import annotations

import json
import time
from typing import Any

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.batch import process_sqs_batch
from chalicelib.config import settings
from chalicelib.observability import logger


def handle_batch(raw_event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_sqs_batch(raw_event, _handle_record, context)


def _handle_record(record: SQSRecord) -> None:
    body = json.loads(record.body)
    attribute = record.message_attributes["channel"]
    channel = attribute.string_value if attribute else body.get("channel")
    logger.append_keys(correlation_id=record.message_id)
    try:
        aws.table(settings().ORDERS_TABLE).put_item(
            Item={
                "pk": f"RAW#{record.message_id}",
                "sk": "RAW",
                "channel": channel,
                "body": record.body,
                "received_at": int(time.time()),
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
