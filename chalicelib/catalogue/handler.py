"""`on_photo_uploaded`: S3 ObjectCreated notifications, delivered through the photo-uploads queue."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from botocore.exceptions import ClientError

from chalicelib import aws
from chalicelib.batch import process_sqs_batch
from chalicelib.config import settings
from chalicelib.observability import logger


def handle_batch(raw_event: dict[str, Any], context: Any) -> dict[str, Any]:
    return process_sqs_batch(raw_event, _handle_record, context)


def _handle_record(record: SQSRecord) -> None:
    notification = json.loads(record.body)
    if notification.get("Event") == "s3:TestEvent":
        return
    for s3_record in notification.get("Records", []):
        key = unquote_plus(s3_record["s3"]["object"]["key"])
        version = s3_record["s3"]["object"].get("versionId", "null")
        _record_upload(key, version, int(s3_record["s3"]["object"].get("size", 0)))


def _record_upload(key: str, version: str, size: int) -> None:
    parts = key.split("/")
    product_id = parts[2] if len(parts) >= 4 else "unfiled"
    logger.append_keys(correlation_id=key)
    try:
        aws.table(settings().CATALOGUE_TABLE).put_item(
            Item={
                "pk": f"PRODUCT#{product_id}",
                "sk": f"UPLOAD#{key}#{version}",
                "key": key,
                "version": version,
                "size": size,
                "status": "received",
                "received_at": int(time.time()),
            },
            ConditionExpression="attribute_not_exists(pk)",
        )
        logger.info("upload recorded", extra={"size": size})
    except ClientError as error:
        if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
            raise
        logger.info("upload already recorded")
